/**
 * The script editor (CodeMirror 6 with the shell mode), loaded lazily by the submit page. Tab is
 * left to the browser (focus moves on), so the form stays keyboard navigable.
 *
 * The editor lives in a shadow root: there CodeMirror puts its styles in constructed style
 * sheets (adoptedStyleSheets), which the CSP allows; in the document itself it would add an
 * inline <style> element, which `style-src 'self'` blocks (and the editor would be unstyled).
 * A label's id does not reach into a shadow root, so the editor is named by aria-label.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';

/** Its look, inside the shadow root (the page's CSS does not reach there). */
const theme = EditorView.theme({
  '&': { minHeight: '12rem', fontSize: '0.9rem' },
  '&.cm-focused': { outline: '3px solid #0969da', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' },
  '.cm-content': { minHeight: '12rem' },
});

/**
 * Typing over a selection is done by the editor, not by the browser: Chromium's own editing
 * keeps the colour of the highlighted text it deletes as a style attribute on the new line,
 * which the CSP refuses (a console error each time, though the editor redraws the line). Not
 * on Android, where a cancelled beforeinput still edits the page (and EditContext is used).
 */
export const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(e, view) {
    if (e.inputType !== 'insertText' || e.data === null || e.isComposing) return false;
    if (view.state.selection.ranges.every((r) => r.empty)) return false;
    if (/Android/.test(navigator.userAgent)) return false;
    e.preventDefault();
    view.dispatch({
      ...view.state.replaceSelection(e.data),
      scrollIntoView: true,
      userEvent: 'input.type',
    });
    return true;
  },
});

/** The editor; `label` is its accessible name. */
export default function ScriptEditor(props: {
  value: string;
  onChange: (v: string) => void;
  label: string;
  invalid: boolean;
}): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    const host = box.current;
    if (host === null) return;
    const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    const v = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          history(),
          highlightActiveLine(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          StreamLanguage.define(shell),
          syntaxHighlighting(defaultHighlightStyle),
          theme,
          typeOverSelection,
          EditorView.contentAttributes.of({
            'aria-label': props.label,
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
