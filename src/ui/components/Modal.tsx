// A modal dialog as the page draws them all (help, lessons, new cluster): a dimmed overlay that
// closes on a click outside or Escape, a panel that fades up, and a header with the title and a
// close button. Keys pressed inside stay inside (the page's shortcuts do not fire under it).

import { AnimatePresence, motion } from 'motion/react';
import type { FormEvent, ReactNode } from 'react';
import { Icon } from './Icons';

interface ModalProps {
  open: boolean;
  onClose: () => void;
  /** The id of the element that names the dialog (its title). */
  labelledBy: string;
  className?: string;
  testId?: string;
  /** Makes the panel a form. */
  onSubmit?: (e: FormEvent) => void;
  /** Keep keys inside the dialog (default); false lets the page's shortcuts see them too. */
  trapKeys?: boolean;
  children: ReactNode;
}

const PANEL = {
  initial: { y: 8, opacity: 0 },
  animate: { y: 0, opacity: 1 },
  exit: { y: 8, opacity: 0 },
  transition: { duration: 0.18, ease: 'easeOut' as const },
};

export function Modal({ open, onClose, labelledBy, className, testId, onSubmit, trapKeys = true, children }: ModalProps) {
  const common = {
    className: `dialog${className === undefined ? '' : ` ${className}`}`,
    role: 'dialog',
    'aria-modal': true,
    'aria-labelledby': labelledBy,
    'data-testid': testId,
    ...PANEL,
    onClick: (e: React.MouseEvent) => e.stopPropagation(),
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
      if (trapKeys) e.stopPropagation();
    },
  };
  return (
    <AnimatePresence>
      {open && (
        <motion.div className="overlay" initial={{ opacity: 0 }} animate={{ opacity: 1 }} exit={{ opacity: 0 }} transition={{ duration: 0.15 }} onClick={onClose}>
          {onSubmit !== undefined ? (
            <motion.form {...common} onSubmit={onSubmit}>
              {children}
            </motion.form>
          ) : (
            <motion.div {...common}>{children}</motion.div>
          )}
        </motion.div>
      )}
    </AnimatePresence>
  );
}

/** The dialog's title and close button. */
export function ModalHeader({ id, title, onClose, closeLabel = 'Close', closeRef }: { id: string; title: string; onClose: () => void; closeLabel?: string; closeRef?: React.Ref<HTMLButtonElement> }) {
  return (
    <header className="dialog-header">
      <h2 id={id}>{title}</h2>
      <button ref={closeRef} type="button" className="btn btn-icon btn-ghost" onClick={onClose} aria-label={closeLabel}>
        <Icon name="close" />
      </button>
    </header>
  );
}
