/** Server-sent events from a fetch response, parsed by eventsource-parser. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One event: its name (`output`, `end`, `job.ended`, …) and its JSON data. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/** The events of `res` as they arrive, until the server ends the stream. */
export async function* readEvents(res: Response): AsyncGenerator<ServerEvent> {
  if (res.body === null) return;
  const queue: ServerEvent[] = [];
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      let data: unknown = m.data;
      try {
        data = JSON.parse(m.data);
      } catch {
        // plain text data stays a string
      }
      queue.push({ event: m.event ?? 'message', data });
    },
  });
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as {
        done: boolean;
        value?: Uint8Array;
      };
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) yield queue.shift()!;
    }
    while (queue.length > 0) yield queue.shift()!;
  } finally {
    // The stream is done with either way; a failed cancel leaves nothing to clean up.
    await reader.cancel().catch(() => undefined);
  }
}
