// Everything about lessons that is not the lesson panel: the "Lessons" button in the top bar, the
// lesson picker, the clicker's keys, and presenter mode (large type, the narration prominent),
// which is a data attribute on <html> that lessons.css lays out from.
//
// Keys (ignored while typing in a field, and with Ctrl/Alt/Cmd): PageDown or "." next, PageUp
// or "b" back (what presentation clickers send), "p" presenter mode. Arrow keys step the lesson
// only while its panel has the focus (elsewhere they step the simulation).

import { useEffect, useRef } from 'react';
import { lessons } from '../../scenarios/index';
import { back, next, openLesson, openPicker, togglePresenter } from '../lessonController';
import { lessonStore } from '../store/lessonStore';
import { notify } from '../store/uiStore';
import { useSession, useUi } from '../store/sessionContext';
import { useLesson } from './LessonPanel';
import { Modal, ModalHeader } from './Modal';
import { isTyping } from '../hooks/useKeyboardShortcuts';


function useLessonKeys(): void {
  const { ui } = useSession();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      // A clicker's PageDown / PageUp mean "next slide" even with the focus in a text field
      // (the console takes it when a step opens that tab); "." and "b" are text there.
      const paging = e.key === 'PageDown' || e.key === 'PageUp';
      if (!paging && isTyping(e.target)) return;
      const st = lessonStore.getState();
      if (ui.getState().helpOpen || st.pickerOpen) return;
      const handled = (): void => {
        e.preventDefault();
        e.stopImmediatePropagation();
      };
      if (e.key === 'p') {
        togglePresenter();
        return handled();
      }
      if (st.lesson === null) return;
      if (e.key === 'PageDown' || e.key === '.') {
        next();
        return handled();
      }
      if (e.key === 'PageUp' || e.key === 'b') {
        back();
        return handled();
      }
    };
    // Capture: before the page's own shortcuts, so a clicker's key is never taken twice.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [ui]);
}

/** Mirrors lesson and presenter state onto <html> for the stylesheet. */
function usePageAttributes(): void {
  const lesson = useLesson((s) => s.lesson);
  const presenter = useLesson((s) => s.presenter);
  const index = useLesson((s) => s.index);
  const panel = lesson !== null && index >= 0 ? lesson.steps[index]?.panel : undefined;
  useEffect(() => {
    const root = document.documentElement;
    if (presenter) root.dataset.presenter = 'on';
    else delete root.dataset.presenter;
    if (lesson !== null) root.dataset.lesson = lesson.id;
    else delete root.dataset.lesson;
    if (panel !== undefined) root.dataset.lessonPanel = panel;
    else delete root.dataset.lessonPanel;
  }, [lesson, presenter, panel]);
}

/** The top bar's "Lessons" button, placed at the start of the bar's end group. */
/** The top bar's Lessons button (TopBar places it). */
export function LessonLauncher() {
  return (
    <button type="button" className="btn lesson-launcher" onClick={() => openPicker()} aria-haspopup="dialog" data-testid="lessons-open" title="Guided lessons">
      <svg viewBox="0 0 20 20" width="1.1em" height="1.1em" aria-hidden="true">
        <path d="M3 4.5c2.5-1 4.8-1 7 .5v11c-2.2-1.5-4.5-1.5-7-.5zM17 4.5c-2.5-1-4.8-1-7 .5v11c2.2-1.5 4.5-1.5 7-.5z" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
      </svg>
      Lessons
    </button>
  );
}

function Picker() {
  const { ui } = useSession();
  const open = useLesson((s) => s.pickerOpen);
  const current = useLesson((s) => s.lesson?.id);
  const firstRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) firstRef.current?.focus();
  }, [open]);
  const close = () => openPicker(false);
  const start = (id: string, variant?: string) => {
    openPicker(false);
    openLesson(id, variant).catch((err: unknown) => notify(ui, 'error', `lesson: ${(err as Error).message}`));
  };
  return (
    <Modal open={open} onClose={close} labelledBy="lesson-picker-title" className="lesson-picker" testId="lesson-picker">
      <ModalHeader id="lesson-picker-title" title="Guided lessons" onClose={close} closeLabel="Close the lesson list" />
      <p className="lesson-picker-intro">
        Each lesson builds its own cluster and runs scripted steps on it; every step ends with checks read from the cluster. <kbd>PageDown</kbd> / <kbd>PageUp</kbd> step through,{' '}
        <kbd>p</kbd> toggles presenter mode.
      </p>
      <ol className="lesson-list">
        {lessons.map((l, i) => (
          <li key={l.id} className={l.id === current ? 'is-current' : ''}>
            <button type="button" ref={i === 0 ? firstRef : undefined} className="lesson-list-main" onClick={() => start(l.id)} data-testid={`lesson-open-${l.id}`}>
              <span className="lesson-list-title">{l.title}</span>
              <span className="lesson-list-summary">{l.summary}</span>
              <span className="lesson-list-meta">
                {l.steps.length} steps · {l.options.nodes ?? 3} members
              </span>
            </button>
            {l.variant !== undefined && (
              <button type="button" className="btn btn-sm lesson-list-variant" onClick={() => start(l.id, l.variant!.id)}>
                {l.variant.label}
              </button>
            )}
          </li>
        ))}
      </ol>
    </Modal>
  );
}

export function LessonLayer() {
  useLessonKeys();
  usePageAttributes();
  // The help sheet and the picker never show at once.
  const helpOpen = useUi((s) => s.helpOpen);
  useEffect(() => {
    if (helpOpen) openPicker(false);
  }, [helpOpen]);
  return (
    <Picker />
  );
}
