// The lesson on screen: its title, the step's narration, Back / Next with the step count, and the
// step's checks, each with an icon AND a word (a check mark and "Holds", a cross and "Fails"), so
// the verdict never rests on colour. The checks appear once the step has been played back; what
// the step typed into etcdctl is listed under them. Arrow keys step the lesson while the panel has
// the focus (PageDown / PageUp, "." / "b" work anywhere: see LessonLayer).

import { motion } from 'motion/react';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { Check } from '../../scenarios/index';
import { back, closeLesson, dismissMessage, next, openPicker, replay, restartLesson, togglePresenter } from '../lessonController';
import { lessonStore, type LessonUiState } from '../store/lessonStore';
import { useUi } from '../store/sessionContext';
import { Icon } from './Icons';
import '../styles/lessons.css';

export function useLesson<T>(selector: (s: LessonUiState) => T): T {
  return useStore(lessonStore, selector);
}

/** A check mark or a cross: two shapes, so the verdict reads without colour. */
export function VerdictIcon({ ok }: { ok: boolean }) {
  return (
    <svg className="verdict-icon" viewBox="0 0 20 20" width="1.15em" height="1.15em" aria-hidden="true">
      {ok ? (
        <>
          <circle cx="10" cy="10" r="9" className="verdict-disc" />
          <path d="M5.6 10.4l3 3 5.8-6.6" fill="none" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" className="verdict-mark" />
        </>
      ) : (
        <>
          <rect x="1.5" y="1.5" width="17" height="17" rx="3" className="verdict-disc" />
          <path d="M6.5 6.5l7 7M13.5 6.5l-7 7" fill="none" strokeWidth="2.2" strokeLinecap="round" className="verdict-mark" />
        </>
      )}
    </svg>
  );
}

function ArrowIcon({ dir }: { dir: 'left' | 'right' }) {
  return (
    <svg viewBox="0 0 20 20" width="1.1em" height="1.1em" aria-hidden="true">
      <path d={dir === 'right' ? 'M4 10h11M10.5 5.5L15 10l-4.5 4.5' : 'M16 10H5M9.5 5.5L5 10l4.5 4.5'} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

function PresenterIcon() {
  return (
    <svg viewBox="0 0 20 20" width="1.1em" height="1.1em" aria-hidden="true">
      <rect x="2.5" y="3" width="15" height="10" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M10 13v3.5M6.5 17h7" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}

function ChecksList({ checks }: { checks: Check[] }) {
  const passed = checks.filter((c) => c.ok).length;
  const ref = useRef<HTMLDivElement>(null);
  // On a short screen the narration fills the panel: bring the verdicts into view when they arrive.
  useEffect(() => {
    const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;
    ref.current?.scrollIntoView({ block: 'nearest', behavior: reduced ? 'auto' : 'smooth' });
  }, [checks]);
  return (
    <div className="lesson-checks-block" ref={ref}>
      <p className="lesson-checks-summary" role="status" data-testid="lesson-checks-summary">
        {checks.length === 1 ? (passed === 1 ? 'The check holds' : 'The check fails') : passed === checks.length ? `All ${checks.length} checks hold` : `${checks.length - passed} of ${checks.length} checks fail`}
        <span className="muted"> · read from the cluster</span>
      </p>
      <ul className="lesson-checks" aria-label="What the cluster shows" data-testid="lesson-checks">
        {checks.map((c, i) => (
          <li key={i} className={`lesson-check ${c.ok ? 'is-ok' : 'is-fail'}`} data-ok={c.ok ? 'true' : 'false'}>
            <VerdictIcon ok={c.ok} />
            <div className="lesson-check-text">
              <span className="lesson-check-verdict">{c.ok ? 'Holds' : 'Fails'}</span>
              <span className="lesson-check-label">{c.label}</span>
              <span className="lesson-check-detail">{c.detail}</span>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function optionsLine(s: LessonUiState): string {
  const l = s.lesson;
  if (l === null) return '';
  const v = s.variant !== null && l.variant?.id === s.variant ? l.variant.options : {};
  const o = { ...l.options, ...v };
  const parts = [`${o.nodes ?? 3} members`, `seed ${o.seed ?? 1}`, `pre-vote ${o.preVote === true ? 'on' : 'off'}`, `check-quorum ${o.checkQuorum === false ? 'off' : 'on'}`];
  if (o.leaseCheckpoint === true) parts.push('lease checkpoints on');
  return parts.join(' · ');
}

export function LessonPanel() {
  const lesson = useLesson((s) => s.lesson);
  const variant = useLesson((s) => s.variant);
  const index = useLesson((s) => s.index);
  const phase = useLesson((s) => s.phase);
  const shown = useLesson((s) => s.shown);
  const message = useLesson((s) => s.message);
  const error = useLesson((s) => s.error);
  const presenter = useLesson((s) => s.presenter);
  const options = useLesson(optionsLine);
  const held = useLesson((s) => s.held);
  const tab = useUi((s) => s.tab);
  const panelRef = useRef<HTMLElement>(null);

  // A lesson that just opened takes the focus, so the arrow keys step it at once.
  useEffect(() => {
    if (lesson !== null && index === -1) panelRef.current?.focus({ preventScroll: true });
  }, [lesson, index]);
  // A step that opens the Console tab must not leave the focus in the console's prompt (which
  // takes it when it appears): the lesson keeps it, so the arrow keys go on stepping.
  useEffect(() => {
    if (lesson === null || index < 0) return;
    const raf = requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active === null || active === document.body || active.closest('.bottom-panels') !== null) panelRef.current?.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(raf);
  }, [lesson, index, tab]);

  if (lesson === null) return null;
  const n = lesson.steps.length;
  const step = index >= 0 ? lesson.steps[index] : undefined;
  const last = index === n - 1;
  const variantOn = variant !== null && lesson.variant?.id === variant;

  const onKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'ArrowRight') next();
    else if (e.key === 'ArrowLeft') back();
    else return;
    // Taken here: the page's own ArrowRight (step one event) must not run too.
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <section
      ref={panelRef}
      className="panel lesson-panel"
      aria-label={`Lesson: ${lesson.title}`}
      tabIndex={-1}
      onKeyDown={onKey}
      data-testid="lesson-panel"
      data-phase={phase}
      data-step={index + 1}
      data-ended-at={phase === 'shown' && shown !== null ? shown.endedAt : undefined}
    >
      <header className="lesson-head">
        <div className="lesson-kicker">
          <span>Lesson</span>
          {variantOn && <span className="lesson-variant-tag">{lesson.variant!.label.replace(/^Run it with /, '')}</span>}
        </div>
        <div className="lesson-head-actions">
          <button
            type="button"
            className={`btn btn-icon btn-ghost${presenter ? ' is-on' : ''}`}
            onClick={() => togglePresenter()}
            aria-pressed={presenter}
            aria-label="Presenter mode (p)"
            title="Presenter mode (p)"
            data-testid="presenter-toggle"
          >
            <PresenterIcon />
          </button>
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => openPicker()} aria-label="All lessons" title="All lessons">
            Lessons
          </button>
          <button type="button" className="btn btn-icon btn-ghost" onClick={() => closeLesson()} aria-label="Leave the lesson" title="Leave the lesson">
            <Icon name="close" />
          </button>
        </div>
        <h2 className="lesson-title">{lesson.title}</h2>
      </header>

      <div className="lesson-body">
        {phase === 'error' && index < 0 && <p className="lesson-error">The lesson could not go on: {error}</p>}
        {message !== null && (
          <p className="lesson-message" role="status">
            {message}{' '}
            <button type="button" className="link-button" onClick={() => dismissMessage()}>
              Dismiss
            </button>
          </p>
        )}
        {/* Enter only: the previous step's text leaves at once, so what is on screen is always this step. */}
        <motion.div key={index} className="lesson-step" initial={{ opacity: 0, y: 6 }} animate={{ opacity: 1, y: 0 }} transition={{ duration: 0.18, ease: 'easeOut' }}>
          {step === undefined ? (
            <div aria-live="polite">
              <p className="lesson-narration">{lesson.summary}</p>
              <p className="lesson-meta">
                {n} steps · {options}
              </p>
              {lesson.variant !== undefined && (
                <div className="lesson-variant">
                  <p>
                    <strong>{variantOn ? 'You are running the variant. ' : 'Variant. '}</strong>
                    {lesson.variant.note}
                  </p>
                  <button type="button" className="btn btn-sm" onClick={() => void restartLesson(variantOn ? null : lesson.variant!.id)} data-testid="lesson-variant">
                    {variantOn ? 'Back to the lesson’s own configuration' : lesson.variant.label}
                  </button>
                </div>
              )}
              <p className="lesson-hint">
                <kbd>PageDown</kbd> or <kbd>→</kbd> starts. Each step runs on the cluster, plays back, then shows what the cluster says.
              </p>
            </div>
          ) : (
            <>
              <div aria-live="polite">
                <p className="lesson-step-count">
                  Step {index + 1} of {n}
                </p>
                <h3 className="lesson-step-title">{step.title}</h3>
                <p className="lesson-narration" data-testid="lesson-narration">
                  {step.narration}
                </p>
              </div>
              {phase === 'running' && <p className="lesson-status">Running the step on the cluster…</p>}
              {phase === 'playing' && (
                <p className="lesson-status">
                  Playing the step back{held ? ' (held: Play or Space goes on)' : ''} — <kbd>PageDown</kbd> shows its end.
                </p>
              )}
              {phase === 'error' && <p className="lesson-error">The step could not run: {error}</p>}
              {shown !== null && shown.index === index && phase === 'shown' && (
                <>
                  <ChecksList checks={shown.checks} />
                  {shown.commands.length > 0 && (
                    <details className="lesson-commands">
                      <summary>What the step typed ({shown.commands.length} etcdctl command{shown.commands.length === 1 ? '' : 's'})</summary>
                      <pre>
                        {shown.commands.map((c) => `$ ${c.line}\n${[c.stdout, c.stderr].filter((x) => x !== '').join('').trimEnd()}`).join('\n\n')}
                      </pre>
                    </details>
                  )}
                  {last && <p className="lesson-done">End of the lesson. Back replays a step; the cluster is yours to play with.</p>}
                </>
              )}
            </>
          )}
        </motion.div>
      </div>

      <footer className="lesson-nav">
        <button type="button" className="btn" onClick={() => back()} disabled={index < 0} aria-keyshortcuts="PageUp ArrowLeft" data-testid="lesson-back">
          <ArrowIcon dir="left" /> Back
        </button>
        <ol className="lesson-dots" aria-label={`Step ${index + 1} of ${n}`}>
          {lesson.steps.map((s, i) => (
            <li key={i} className={i === index ? 'is-on' : i < index ? 'is-done' : ''} title={s.title} />
          ))}
        </ol>
        {index >= 0 && phase === 'shown' && !last && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => replay()} aria-label="Play this step again" title="Play this step again">
            Again
          </button>
        )}
        {last && phase === 'shown' ? (
          <button type="button" className="btn btn-primary" onClick={() => openPicker()} data-testid="lesson-next">
            More lessons
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => next()} disabled={phase === 'running'} aria-keyshortcuts="PageDown ArrowRight" data-testid="lesson-next">
            {phase === 'playing' ? 'Show end' : index < 0 ? 'Start' : 'Next'} <ArrowIcon dir="right" />
          </button>
        )}
      </footer>
    </section>
  );
}
