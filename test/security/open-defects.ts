/**
 * Properties of the adversarial suite that fail today because of a defect of issue #19 that is
 * being fixed elsewhere: test name → defect number. Each is skipped while listed here, so the
 * suite stays green; once the fix is merged, delete its line and the test runs again.
 */
export const OPEN_DEFECTS: Readonly<Record<string, number>> = {
  // 8: live streams have no per-user or global cap.
  'caps the events streams of one user: past the cap, 429 with Retry-After': 8,
  'caps the followed logs streams of one user: past the cap, 429 with Retry-After': 8,
};

/** True when the test named `name` waits for the fix of a listed defect. */
export function awaitsFix(name: string): boolean {
  return name in OPEN_DEFECTS;
}
