// The application shell: boots the session (one Playground, exposed as window.playground), then
// lays out the page: header with time controls, the timeline strip, the cluster view with its
// fault presets, the inspector and event feed on the side, and the Logs / Data / Console tabs.

import { useEffect, useState } from 'react';
import { MotionConfig } from 'motion/react';
import { startSession, type Session } from './session';
import { SessionContext } from './store/sessionContext';
import { useKeyboardShortcuts } from './hooks/useKeyboardShortcuts';
import { useThemeSync } from './hooks/useThemeSync';
import { TopBar } from './components/TopBar';
import { TimelineStrip } from './components/TimelineStrip';
import { ClusterToolbar } from './components/ClusterToolbar';
import { ClusterView } from './components/ClusterView';
import { Legend } from './components/Legend';
import { Inspector } from './components/Inspector';
import { EventFeed } from './components/EventFeed';
import { BottomPanels } from './components/BottomPanels';
import { HelpOverlay } from './components/HelpOverlay';
import { Notices } from './components/Notices';
import { LessonPanel } from './components/LessonPanel';
import { LessonLayer } from './components/LessonLayer';
import { adoptSession, onSessionReplaced } from './lessonSession';
import { bootLessonFromUrl, presenterFromUrl, readLessonUrl } from './lessonController';
import { lessonStore } from './store/lessonStore';
import { AlarmBanner } from './components/AlarmBanner';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // A lesson (?lesson=) builds its own cluster; lessonSession.ts may replace the session later.
    const off = onSessionReplaced((s, g) => {
      setSession(s);
      setGeneration(g);
    });
    const fail = (err: unknown) => setError((err as Error).message ?? String(err));
    const lesson = readLessonUrl(location.search);
    if (lesson !== undefined) bootLessonFromUrl(lesson).catch(fail);
    else {
      lessonStore.setState({ presenter: presenterFromUrl(location.search) });
      startSession().then((s) => {
        adoptSession(s);
        setSession(s);
      }, fail);
    }
    return off;
  }, []);
  if (session === null) {
    return (
      <main className="splash">
        <h1>Raft playground</h1>
        <p>{error === null ? 'Starting a five-member etcd cluster in your browser…' : `The cluster could not start: ${error}`}</p>
      </main>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell key={generation} session={session} />
    </SessionContext.Provider>
  );
}

function Shell({ session }: { session: Session }) {
  useKeyboardShortcuts(session);
  useThemeSync(session.ui);
  return (
    <MotionConfig reducedMotion="user">
      <div className="app">
        <TopBar />
        <div>
          <TimelineStrip />
          <AlarmBanner />
        </div>
        <main className="stage">
          <section className="panel cluster-panel" aria-label="Cluster view">
            <ClusterToolbar />
            <ClusterView />
            <Legend />
          </section>
          <div className="side">
            <LessonPanel />
            <Inspector />
            <EventFeed />
          </div>
          <BottomPanels />
        </main>
        <HelpOverlay />
        <LessonLayer />
        <Notices />
      </div>
    </MotionConfig>
  );
}
