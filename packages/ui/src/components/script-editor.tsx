/**
 * The script editor (CodeMirror 6 with the shell mode), loaded lazily by the submit page. Tab is
 * left to the browser (focus moves on), so the form stays keyboard navigable; the editor's own
 * styles go through constructed style sheets, not inline <style> elements.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';

/** The editor; `labelledBy` names the label element. */
export default function ScriptEditor(props: {
  value: string;
  onChange: (v: string) => void;
  labelledBy: string;
  invalid: boolean;
}): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    if (box.current === null) return;
    const v = new EditorView({
      parent: box.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          history(),
          highlightActiveLine(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          StreamLanguage.define(shell),
          syntaxHighlighting(defaultHighlightStyle),
          EditorView.contentAttributes.of({
            'aria-labelledby': props.labelledBy,
            'aria-multiline': 'true',
            'data-testid': 'submit-script',
          }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is made once; outside changes come through the effect below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v !== null && v.state.doc.toString() !== props.value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  return <div ref={box} className={`editor${props.invalid ? ' invalid' : ''}`} />;
}
