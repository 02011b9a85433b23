// Interpreters for etcd-io/raft's pure datadriven suites: quorum/testdata (`committed` and `vote`
// over `cfg=(…) cfgj=(…) idx=(…) votes=(…)`) and confchange/testdata (`simple`, `enter-joint
// [autoleave=]`, `leave-joint` with changes like `v1 l2 r3` as input).

import {
  describeMajority,
  indexString,
  jointCommittedIndex,
  jointIds,
  jointVoteResult,
  majorityCommittedIndex,
  majorityVoteResult,
  type AckedIndexer,
  type JointConfig,
} from '../../src/raft/quorum/quorum';
import { Changer } from '../../src/raft/confchange/changer';
import { ProgressTracker, trackerConfigString } from '../../src/raft/tracker/tracker';
import { progressMapString } from '../../src/raft/tracker/progress';
import { confChangesFromString } from '../../src/raft/codec';
import { parseBool, type TestCase } from './datadriven';
import { HarnessError } from './interaction';

/** The naive reference computation of a majority's committed index (etcd's quick test oracle). */
function alternativeMajorityCommittedIndex(c: ReadonlySet<number>, l: AckedIndexer): number {
  if (c.size === 0) return Infinity;
  const idToIdx = new Map<number, number>();
  for (const id of c) {
    const idx = l(id);
    if (idx !== undefined) idToIdx.set(id, idx);
  }
  const idxToVotes = new Map<number, number>();
  for (const idx of idToIdx.values()) idxToVotes.set(idx, 0);
  for (const idx of idToIdx.values()) {
    for (const idy of idxToVotes.keys()) {
      if (idy <= idx) idxToVotes.set(idy, idxToVotes.get(idy)! + 1);
    }
  }
  const q = Math.floor(c.size / 2) + 1;
  let maxQuorumIdx = 0;
  for (const [idx, n] of idxToVotes) if (n >= q && idx > maxQuorumIdx) maxQuorumIdx = idx;
  return maxQuorumIdx;
}

export function handleQuorum(tc: TestCase): string {
  let joint = false;
  const ids: number[] = [];
  const idsj: number[] = [];
  const idxs: number[] = [];
  const votes: number[] = [];
  for (const arg of tc.args) {
    for (const v of arg.vals) {
      switch (arg.key) {
        case 'cfg':
          ids.push(Number(v));
          break;
        case 'cfgj':
          joint = true;
          if (v === 'zero') {
            if (arg.vals.length !== 1) throw new HarnessError("cannot mix 'zero' into configuration");
          } else idsj.push(Number(v));
          break;
        case 'idx': {
          let n = 0;
          if (v !== '_') {
            n = Number(v);
            if (n === 0) throw new HarnessError('cannot use 0 as idx');
          }
          idxs.push(n);
          break;
        }
        case 'votes':
          if (v === 'y') votes.push(2);
          else if (v === 'n') votes.push(1);
          else if (v === '_') votes.push(0);
          else throw new HarnessError(`unknown vote: ${v}`);
          break;
        default:
          throw new HarnessError(`unknown arg ${arg.key}`);
      }
    }
  }
  const c = new Set(ids);
  const cj = new Set(idsj);

  // Assigns inputs to voters in order of first appearance (cfg then cfgj); zero means "unknown".
  const makeLookuper = (input: number[]): Map<number, number> => {
    const l = new Map<number, number>();
    let p = 0;
    for (const id of [...ids, ...idsj]) {
      if (l.has(id)) continue;
      if (p < input.length) l.set(id, input[p++]!);
    }
    for (const [id, v] of l) if (v === 0) l.delete(id);
    return l;
  };

  const input = tc.cmd === 'vote' ? votes : idxs;
  const voters = jointIds({ incoming: c, outgoing: cj });
  if (voters.size !== input.length) {
    return `error: mismatched input (explicit or _) for voters ${goMapKeys(voters)}: ${goSliceOf(input)}`;
  }

  let out = '';
  if (tc.cmd === 'committed') {
    const map = makeLookuper(idxs);
    const l: AckedIndexer = (id) => map.get(id);
    if (!joint) {
      const idx = majorityCommittedIndex(c, l);
      out += describeMajority(c, l);
      const aIdx = alternativeMajorityCommittedIndex(c, l);
      if (aIdx !== idx) out += `${indexString(aIdx)} <-- via alternative computation\n`;
      const zeroJoint = jointCommittedIndex({ incoming: c, outgoing: new Set() }, l);
      if (zeroJoint !== idx) out += `${indexString(zeroJoint)} <-- via zero-joint quorum\n`;
      const selfJoint = jointCommittedIndex({ incoming: c, outgoing: new Set(c) }, l);
      if (selfJoint !== idx) out += `${indexString(selfJoint)} <-- via self-joint quorum\n`;
      // Lowering any voter's acked index must not raise the committed index.
      for (const id of c) {
        const iidx = l(id) ?? 0;
        if (idx > iidx && iidx > 0) {
          const overlay = (to: number): AckedIndexer => {
            const m = new Map<number, number>();
            for (const iid of c) {
              if (iid === id) m.set(iid, to);
              else if (l(iid) !== undefined) m.set(iid, l(iid)!);
            }
            return (x) => m.get(x);
          };
          let a = majorityCommittedIndex(c, overlay(iidx - 1));
          if (a !== idx) out += `${indexString(a)} <-- overlaying ${id}->${iidx}`;
          a = majorityCommittedIndex(c, overlay(0));
          if (a !== idx) out += `${indexString(a)} <-- overlaying ${id}->0`;
        }
      }
      out += `${indexString(idx)}\n`;
    } else {
      const cc: JointConfig = { incoming: c, outgoing: cj };
      out += describeMajority(jointIds(cc), l);
      const idx = jointCommittedIndex(cc, l);
      const sym = jointCommittedIndex({ incoming: cj, outgoing: c }, l);
      if (sym !== idx) out += `${indexString(sym)} <-- via symmetry\n`;
      out += `${indexString(idx)}\n`;
    }
  } else if (tc.cmd === 'vote') {
    const ll = makeLookuper(votes);
    const l = new Map<number, boolean>();
    for (const [id, v] of ll) l.set(id, v !== 1);
    if (!joint) {
      out += `${majorityVoteResult(c, l)}\n`;
    } else {
      const r = jointVoteResult({ incoming: c, outgoing: cj }, l);
      const ar = jointVoteResult({ incoming: cj, outgoing: c }, l);
      if (ar !== r) out += `${ar} <-- via symmetry\n`;
      out += `${r}\n`;
    }
  } else {
    throw new HarnessError(`unknown command: ${tc.cmd}`);
  }
  return out;
}

function goSliceOf(xs: number[]): string {
  return `[${xs.join(' ')}]`;
}

function goMapKeys(s: Set<number>): string {
  return `map[${[...s]
    .sort((a, b) => a - b)
    .map((k) => `${k}:{}`)
    .join(' ')}]`;
}

/** A stateful interpreter for one confchange file (the changer's last index grows per command). */
export class ConfChangeEnv {
  private readonly tracker = new ProgressTracker(10, 0);
  private lastIndex = 0;

  handle(tc: TestCase): string {
    try {
      return this.run(tc);
    } finally {
      this.lastIndex++;
    }
  }

  private run(tc: TestCase): string {
    let ccs;
    try {
      ccs = confChangesFromString(tc.input);
    } catch (e) {
      return (e as Error).message;
    }
    const changer = new Changer(this.tracker, this.lastIndex);
    let result;
    try {
      switch (tc.cmd) {
        case 'simple':
          result = changer.simple(ccs);
          break;
        case 'enter-joint': {
          let autoLeave = false;
          const arg = tc.args.find((a) => a.key === 'autoleave');
          if (arg !== undefined) autoLeave = parseBool(arg.vals[0] ?? '');
          result = changer.enterJoint(autoLeave, ccs);
          break;
        }
        case 'leave-joint':
          if (ccs.length > 0) throw new Error('this command takes no input');
          result = changer.leaveJoint();
          break;
        default:
          return 'unknown command';
      }
    } catch (e) {
      if (e instanceof Error && e.name !== 'AssertionError') return e.message + '\n';
      throw e;
    }
    this.tracker.config = result.config;
    this.tracker.progress = result.progress;
    return `${trackerConfigString(this.tracker.config)}\n${progressMapString(this.tracker.progress)}`;
  }
}
