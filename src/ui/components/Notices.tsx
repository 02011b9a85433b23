// Short notices at the bottom of the page: confirmations and the errors actions returned.

import { AnimatePresence, motion } from 'motion/react';
import { useUi } from '../store/sessionContext';

export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      <AnimatePresence initial={false}>
        {notices.map((n) => (
          <motion.div
            key={n.id}
            className={`notice notice-${n.tone}`}
            initial={{ opacity: 0, y: 8 }}
            animate={{ opacity: 1, y: 0 }}
            exit={{ opacity: 0 }}
            transition={{ duration: 0.2 }}
            layout
          >
            {n.text}
          </motion.div>
        ))}
      </AnimatePresence>
    </div>
  );
}
