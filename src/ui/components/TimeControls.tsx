// Play/pause, the three steps (next event, next message, next tick) and the speed scale from
// 1/100× to "max". Everything calls the Playground; the buttons show what the Playground reports.

import type { Speed } from '../../playground/index';
import { setSpeed, step, togglePlay } from '../actions';
import { SPEEDS } from '../session';
import { useCluster, useSession } from '../store/sessionContext';
import { Icon } from './Icons';

export function speedLabel(s: Speed): string {
  if (s === 'max') return 'max';
  if (s >= 1) return `${s}×`;
  return `1/${Math.round(1 / s)}×`;
}

export function TimeControls() {
  const session = useSession();
  const playing = useCluster((s) => s.playing);
  const speed = useCluster((s) => s.speed);
  const index = Math.max(0, SPEEDS.indexOf(speed));
  return (
    <div className="time-controls" role="group" aria-label="Time controls">
      <button
        type="button"
        className="btn btn-primary btn-play"
        onClick={() => togglePlay(session)}
        aria-label={playing ? 'Pause (space)' : 'Play (space)'}
        aria-pressed={playing}
        data-testid="play-pause"
        title={playing ? 'Pause (space)' : 'Play (space)'}
      >
        <Icon name={playing ? 'pause' : 'play'} />
        <span>{playing ? 'Pause' : 'Play'}</span>
      </button>
      <div className="btn-group" role="group" aria-label="Step">
        <button type="button" className="btn" onClick={() => void step(session, 'event')} aria-label="Step to the next event (→)" title="Next event (→)" data-testid="step-event">
          <Icon name="stepEvent" />
          <span className="btn-text-wide">Event</span>
        </button>
        <button type="button" className="btn" onClick={() => void step(session, 'message')} aria-label="Step to the next message delivered or dropped (m)" title="Next message (m)" data-testid="step-message">
          <Icon name="stepMessage" />
          <span className="btn-text-wide">Message</span>
        </button>
        <button type="button" className="btn" onClick={() => void step(session, 'tick')} aria-label="Step one Raft tick (shift+→)" title="Next tick (shift+→)" data-testid="step-tick">
          <Icon name="stepTick" />
          <span className="btn-text-wide">Tick</span>
        </button>
      </div>
      <label className="speed">
        <span className="speed-caption">Speed</span>
        <input
          type="range"
          min={0}
          max={SPEEDS.length - 1}
          step={1}
          value={index}
          onChange={(e) => setSpeed(session, SPEEDS[Number(e.target.value)]!)}
          aria-label="Playback speed"
          aria-valuetext={speedLabel(speed)}
          data-testid="speed"
        />
        <output className="speed-value" aria-live="off">
          {speedLabel(speed)}
        </output>
      </label>
    </div>
  );
}
