/**
 * The jobs list's filter bar. Text fields apply on Enter or the Apply button; the rest apply at
 * once. The filters live in the URL (lib/filters.ts), so the parent owns them.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { JOB_STATES, type JobState } from '@god/core/browser';
import type { JobFilters } from '../lib/filters.js';

/** The filter bar. */
export function JobFiltersBar(props: {
  value: JobFilters;
  admin: boolean;
  onChange: (f: JobFilters) => void;
}): ReactNode {
  const { value, onChange } = props;
  const [text, setText] = useState({ q: value.q, project: value.project, user: value.user });
  useEffect(
    () => setText({ q: value.q, project: value.project, user: value.user }),
    [value.q, value.project, value.user],
  );
  const apply = (e: FormEvent): void => {
    e.preventDefault();
    onChange({ ...value, ...text });
  };
  const toggle = (s: JobState, on: boolean): void =>
    onChange({
      ...value,
      states: on ? [...value.states, s] : value.states.filter((x) => x !== s),
    });
  return (
    <form className="filters" onSubmit={apply} aria-label="Filters" role="search">
      <StateChoice states={value.states} onToggle={toggle} />
      <label>
        Name
        <input
          type="search"
          value={text.q}
          maxLength={200}
          onChange={(e) => setText({ ...text, q: e.target.value })}
          placeholder="contains…"
        />
      </label>
      <label>
        Project
        <input
          value={text.project}
          onChange={(e) => setText({ ...text, project: e.target.value })}
        />
      </label>
      {props.admin ? (
        <label>
          User
          <input value={text.user} onChange={(e) => setText({ ...text, user: e.target.value })} />
        </label>
      ) : null}
      <label>
        Submitted from
        <input
          type="date"
          value={value.from}
          onChange={(e) => onChange({ ...value, from: e.target.value })}
        />
      </label>
      <label>
        to
        <input
          type="date"
          value={value.to}
          onChange={(e) => onChange({ ...value, to: e.target.value })}
        />
      </label>
      <label>
        Order
        <select
          value={value.order}
          onChange={(e) => onChange({ ...value, order: e.target.value === 'asc' ? 'asc' : 'desc' })}
        >
          <option value="desc">Newest first</option>
          <option value="asc">Oldest first</option>
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

/** The state checkboxes. */
function StateChoice(props: {
  states: readonly JobState[];
  onToggle: (s: JobState, on: boolean) => void;
}): ReactNode {
  return (
    <fieldset className="states">
      <legend>State</legend>
      {JOB_STATES.map((s) => (
        <label key={s} className="check">
          <input
            type="checkbox"
            checked={props.states.includes(s)}
            onChange={(e) => props.onToggle(s, e.target.checked)}
          />
          {s}
        </label>
      ))}
    </fieldset>
  );
}
