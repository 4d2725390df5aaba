import { getEventListeners } from 'node:events';
import t from 'tap';
import { ChangeSignal } from '../src/change-signal.js';

t.test('a finished wait leaves no listener on the cancel signal and no waiter behind', async (t) => {
  let version = 0;
  const signal = new ChangeSignal(() => version, 60_000);
  const closing = new AbortController();
  // A subscription's life: wait while idle, be woken by a commit, read, wait again.
  for (let turn = 0; turn < 1_000; turn += 1) {
    const waited = signal.wait(closing.signal);
    version += 1;
    signal.notify();
    await waited;
  }
  t.equal(getEventListeners(closing.signal, 'abort').length, 0, 'no listener per finished wait');
  t.equal(signal.waiting, 0, 'no waiter left');
});

t.test('aborting the cancel signal ends a pending wait and stops the polling', async (t) => {
  let reads = 0;
  const signal = new ChangeSignal(() => (reads += 1), 5);
  const closing = new AbortController();
  const waited = signal.wait(closing.signal);
  t.equal(signal.waiting, 1, 'the wait is registered');
  closing.abort();
  await waited;
  t.equal(signal.waiting, 0, 'the aborted wait is gone');
  t.equal(getEventListeners(closing.signal, 'abort').length, 0, 'its listener is gone');
  const readsAfterAbort = reads;
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.equal(reads, readsAfterAbort, 'no more polling once nobody waits');
  // A wait on a signal aborted before it began resolves at once and registers nothing.
  await signal.wait(closing.signal);
  t.equal(signal.waiting, 0, 'nothing registered for an already aborted signal');
});

t.test("another connection's commit wakes a waiter through the poll", async (t) => {
  let version = 1;
  const signal = new ChangeSignal(() => version, 5);
  // The poll's timer is unref'd (polling alone keeps no process alive): this test holds it open.
  const alive = setTimeout(() => undefined, 10_000);
  t.teardown(() => clearTimeout(alive));
  const closing = new AbortController();
  const waited = signal.wait(closing.signal);
  let woken = false;
  void waited.then(() => (woken = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.notOk(woken, 'no change, no wake-up');
  version = 2;
  await waited;
  t.equal(getEventListeners(closing.signal, 'abort').length, 0, 'woken by the poll, its listener is gone');
});
