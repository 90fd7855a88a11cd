// www/engine.js on its own, in Node, against a scripted stand-in for the worker: one promise per
// request, progress callbacks, cancel messages, and recovery from a wasm trap — the worker is
// replaced and every state-building request is replayed before anything new is sent, so nothing
// the main thread loaded is lost. (The real worker is exercised by the browser tests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../www/engine.js';

/** A fake worker: `script(msg, reply, worker)` decides what to answer. Records what it was sent. */
function fakeWorkerFactory(script) {
  const made = [];
  const create = () => {
    const w = {
      sent: [],
      terminated: false,
      onmessage: null,
      onerror: null,
      postMessage(msg) {
        w.sent.push(msg);
        queueMicrotask(() => script(msg, (data) => !w.terminated && w.onmessage?.({ data }), w));
      },
      terminate() {
        w.terminated = true;
      },
    };
    made.push(w);
    return w;
  };
  return { create, made };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

test('one promise per request, with progress before the result', async () => {
  const { create } = fakeWorkerFactory((msg, reply) => {
    reply({ id: msg.id, progress: { fraction: 0.5 } });
    reply({ id: msg.id, ok: true, result: { echo: msg.args.n } });
  });
  const engine = createEngine(create);
  const seen = [];
  const a = engine.request('score', { n: 1 }, { onProgress: (p) => seen.push(p.fraction) });
  const b = engine.request('score', { n: 2 });
  assert.deepEqual(await a.promise, { echo: 1 });
  assert.deepEqual(await b.promise, { echo: 2 });
  assert.deepEqual(seen, [0.5]);
});

test('errors carry file, row and column; cancel sends {op:"cancel", target}', async () => {
  const { create, made } = fakeWorkerFactory((msg, reply) => {
    if (msg.op === 'importFile') {
      reply({ id: msg.id, ok: false, error: { message: 'bad', file: 'a.csv', row: 3, column: 'n' } });
    }
    if (msg.op === 'cancel') reply({ id: msg.target, ok: false, error: { message: 'cancelled', cancelled: true } });
  });
  const engine = createEngine(create);
  await assert.rejects(engine.request('importFile', {}).promise, (e) => e.file === 'a.csv' && e.row === 3 && e.column === 'n');
  const job = engine.request('score', {});
  await tick();
  job.cancel();
  await assert.rejects(job.promise, (e) => e.cancelled === true);
  assert.deepEqual(made[0].sent.at(-1), { op: 'cancel', target: made[0].sent.at(-2).id });
});

test('after a wasm trap the worker is replaced and loaded layers are replayed before new work', async () => {
  let trapOnce = true;
  const { create, made } = fakeWorkerFactory((msg, reply, w) => {
    if (msg.op === 'importFile') reply({ id: msg.id, ok: true, result: { rows: msg.args.rows } });
    else if (msg.op === 'score' && trapOnce) {
      trapOnce = false;
      reply({ id: msg.id, ok: false, fatal: true, error: { message: 'RuntimeError: unreachable' } });
    } else if (msg.op === 'score') {
      const loaded = w.sent.filter((m) => m.op === 'importFile').map((m) => m.args.layerId);
      reply({ id: msg.id, ok: true, result: { layersPresent: loaded } });
    }
  });
  const restarts = [];
  const engine = createEngine(create, { onRestart: (why) => restarts.push(why) });
  await engine.request('importFile', { layerId: 'a', rows: 10 }, { replayKey: 'layer:a' }).promise;
  await engine.request('importFile', { layerId: 'b', rows: 20 }, { replayKey: 'layer:b' }).promise;
  await engine.request('importFile', { layerId: 'c', rows: 30 }, { replayKey: 'layer:c' }).promise;
  engine.forget('layer:c'); // removed by the user: must not come back

  await assert.rejects(engine.request('score', {}).promise, /unreachable/);
  const after = await engine.request('score', {}).promise;
  assert.equal(made.length, 2, 'a second worker was started');
  assert.ok(made[0].terminated, 'the trapped worker was terminated');
  assert.deepEqual(after.layersPresent, ['a', 'b'], 'layers replayed, in order, before the new request');
  assert.equal(restarts.length, 1);
});

test('requests in flight when the worker dies are rejected as restarted, not left hanging', async () => {
  const { create, made } = fakeWorkerFactory((msg, reply) => {
    if (msg.op === 'slow') return; // never answers
    if (msg.op === 'boom') reply({ id: msg.id, ok: false, fatal: true, error: { message: 'trap' } });
    if (msg.op === 'ping') reply({ id: msg.id, ok: true, result: 'pong' });
  });
  const engine = createEngine(create);
  const slow = engine.request('slow', {});
  await tick();
  const boom = engine.request('boom', {});
  await assert.rejects(boom.promise, /trap/);
  await assert.rejects(slow.promise, (e) => e.restarted === true);
  assert.equal(await engine.request('ping', {}).promise, 'pong');
  assert.equal(made.length, 2);
});
