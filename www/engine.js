/**
 * The only module that talks to the worker (and so to the wasm core).
 *
 * `request(op, args, { onProgress })` posts `{id, op, args}` and returns a promise for the
 * worker's `{id, ok:true, result}`; `{id, progress}` messages go to `onProgress`. `cancel(id)`
 * posts `{op:'cancel', target:id}`; the worker stops between chunks and answers with an error
 * whose `cancelled` is true.
 *
 * Recovery: a wasm trap leaves the instance unusable. When the worker reports `fatal: true`
 * (or dies), the engine terminates it, starts a new one and replays every request that built
 * state (those sent with `replayKey`, e.g. loading a layer from a File kept on the main thread),
 * in order, before it sends anything new. Requests in flight when it died are rejected with
 * `restarted: true`; nothing on the main thread is lost.
 */

/** @typedef {{ message: string, file?: string, row?: number, column?: string, value?: string, cancelled?: boolean, restarted?: boolean }} EngineErrorInfo */

export class EngineError extends Error {
  /** @param {EngineErrorInfo} info */
  constructor(info) {
    super(info.message);
    this.name = 'EngineError';
    Object.assign(this, info);
  }
}

/**
 * @param {() => Worker | Promise<Worker>} createWorker starts a fresh worker (INFRA's boot).
 * @param {{ onRestart?: (reason: string) => void }} [hooks]
 */
export function createEngine(createWorker, hooks = {}) {
  let nextId = 1;
  /** @type {Map<number, {resolve, reject, onProgress, op}>} */
  const pending = new Map();
  /** @type {Map<string, {op: string, args: object}>} requests that rebuild worker state */
  const replay = new Map();
  let workerPromise = null;
  let restarting = null;

  function attach(worker) {
    worker.onmessage = (ev) => onMessage(ev.data);
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      restart(ev.message || 'worker error');
    };
    return worker;
  }

  function start() {
    workerPromise = Promise.resolve(createWorker()).then(attach);
    return workerPromise;
  }

  function onMessage(msg) {
    if (msg && msg.op === 'log') {
      console.debug('[worker]', msg.message);
      return;
    }
    const entry = pending.get(msg.id);
    if (!entry) return;
    if ('progress' in msg) {
      entry.onProgress?.(msg.progress);
      return;
    }
    pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else {
      entry.reject(new EngineError(msg.error || { message: 'unknown error' }));
      if (msg.fatal) restart(msg.error?.message || 'wasm trap');
    }
  }

  const recentRestarts = [];

  async function restart(reason) {
    if (restarting) return restarting;
    // A worker that cannot even start would restart forever: give up after 3 in 10 s.
    const now = Date.now();
    while (recentRestarts.length && now - recentRestarts[0] > 10_000) recentRestarts.shift();
    if (recentRestarts.length >= 3) {
      for (const [id, entry] of pending) {
        entry.reject(new EngineError({ message: `engine failed: ${reason}` }));
        pending.delete(id);
      }
      return undefined;
    }
    recentRestarts.push(now);
    restarting = (async () => {
      const old = await workerPromise.catch(() => null);
      old?.terminate();
      for (const [id, entry] of pending) {
        entry.reject(new EngineError({ message: `engine restarted: ${reason}`, restarted: true }));
        pending.delete(id);
      }
      await start();
      for (const { op, args } of replay.values()) {
        try {
          await send(op, args, {}).promise;
        } catch (err) {
          console.warn('replay failed', op, err);
        }
      }
      hooks.onRestart?.(reason);
    })();
    try {
      await restarting;
    } finally {
      restarting = null;
    }
  }

  function send(op, args, { onProgress, transfer } = {}) {
    const id = nextId++;
    const promise = new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress, op });
    });
    workerPromise.then((w) => w.postMessage({ id, op, args }, transfer || []));
    return { id, promise };
  }

  start();

  return {
    /**
     * @param {string} op
     * @param {object} [args]
     * @param {{ onProgress?: (p: any) => void, replayKey?: string, transfer?: Transferable[] }} [opts]
     * @returns {{ id: number, promise: Promise<any>, cancel: () => void }}
     */
    request(op, args = {}, opts = {}) {
      const run = async () => {
        if (restarting) await restarting;
        const { id, promise } = send(op, args, opts);
        handle.id = id;
        if (handle.cancelledEarly) handle.cancel();
        const result = await promise;
        if (opts.replayKey) replay.set(opts.replayKey, { op, args });
        return result;
      };
      const handle = {
        id: 0,
        promise: null,
        cancel: () => {
          if (handle.id) workerPromise.then((w) => w.postMessage({ op: 'cancel', target: handle.id }));
          else handle.cancelledEarly = true;
        },
      };
      handle.promise = run();
      return handle;
    },
    /** Forget a replayable request (e.g. after its layer was removed). */
    forget(replayKey) {
      replay.delete(replayKey);
    },
    /** Terminate the worker and start a new one, replaying state (used after a trap). */
    restart,
  };
}
