// @vitest-environment happy-dom
import { EditorSelection, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { afterEach, describe, expect, it } from 'vitest';
import { typeOverSelection } from './script-editor.js';

let view: EditorView | undefined;
afterEach(() => view?.destroy());

/** An editor holding `doc` with `from`–`to` selected, and a cancellable beforeinput typing `data`. */
function typeOver(doc: string, from: number, to: number, data: string): InputEvent {
  view = new EditorView({
    parent: document.body,
    state: EditorState.create({
      doc,
      selection: EditorSelection.single(from, to),
      extensions: [typeOverSelection],
    }),
  });
  const e = new InputEvent('beforeinput', {
    inputType: 'insertText',
    data,
    bubbles: true,
    cancelable: true,
  });
  view.contentDOM.dispatchEvent(e);
  return e;
}

describe('the script editor', () => {
  it('types over a selection itself, leaving the browser nothing to restyle', () => {
    const e = typeOver('#!/bin/sh\necho hi\n', 0, 10, 'e');
    expect(e.defaultPrevented).toBe(true);
    expect(view?.state.doc.toString()).toBe('eecho hi\n');
    expect(view?.state.selection.main.head).toBe(1);
  });

  it('leaves typing at a cursor to the browser (the editor reads it back)', () => {
    const e = typeOver('echo', 4, 4, 'x');
    expect(e.defaultPrevented).toBe(false);
    expect(view?.state.doc.toString()).toBe('echo');
  });
});
