import type { Engine } from '@infernet/engines';
import { TOKEN_BATCH_INTERVAL_MS, type NodeSpecs } from '@infernet/protocol';
import { ApiError, ConnectionError, type NodeClient } from '@infernetprotocol/sdk/node';
import type { CliConfig, Identity } from '../config';
import { defaultNodeName } from '../config';
import { detectHardware } from '../hardware';
import { fitsBudget } from '../model-fit';
import { buildNodeSpecs, listServedModels, type GpuDetector } from '../node-specs';
import type { Logger } from '../output';
import type { NodeP2p } from '../p2p/node-p2p';
import { backoffDelayMs } from './backoff';
import { delay, type Clock } from './clock';
import { Connectivity, describeError } from './connectivity';
import { Heartbeat } from './heartbeat';
import { JobSlots } from './job-slots';
import { runEmbeddingJob } from './embedding-job-runner';
import { runChatJob } from './job-runner';
import { EventUplink } from './event-uplink';
import { LeaseKeepAlive } from './lease-keep-alive';
import { runPollLoop } from './poll-loop';
import { RunningJobs } from './running-jobs';

export interface DaemonDependencies {
  config: CliConfig & { identity: Identity };
  client: Pick<
    NodeClient,
    'register' | 'heartbeat' | 'poll' | 'postEvents' | 'postEventBatches' | 'complete' | 'release'
  >;
  engine: Engine;
  detectGpus: GpuDetector;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** How stale a running job's lease may get before a keep-alive poll renews it; 10 s by default. */
  leaseKeepAliveMs?: number;
  /** The registry of running jobs, for a caller that reports them (the control socket). */
  runningJobs?: RunningJobs;
  /** The P2P listener, told which models this node serves; its port is published only with `advertise`. */
  p2p?: Pick<NodeP2p, 'port' | 'setServedModels'>;
}

/** How long the goodbye heartbeat may take before the daemon exits anyway. */
const OFFLINE_HEARTBEAT_TIMEOUT_MS = 3_000;

/**
 * The node daemon: register, then heartbeat and long-poll until `stop`
 * aborts, keeping the leases of running jobs alive. Then drain: claim
 * nothing more, let running jobs finish up to the drain timeout, hand back
 * (`release`) the ones still running, say goodbye with an offline heartbeat
 * and resolve. Rejects only when the control plane refuses this node for
 * good (a 4xx on register).
 *
 * Nothing here assumes a fresh node: register is an upsert keyed by the
 * node id derived from the key, so a restart resumes as the same provider.
 * Jobs the previous process held are unknown to this one; their leases
 * expire and the control plane re-queues them.
 */
export async function runDaemon(
  dependencies: DaemonDependencies,
  stop: AbortSignal,
): Promise<void> {
  const { config, client, engine, clock, logger } = dependencies;
  const { identity } = config;
  const name = config.nodeName ?? defaultNodeName(identity.publicKey);
  const connectivity = new Connectivity({ logger, controlPlaneUrl: config.controlPlaneUrl });
  const hardware = await detectHardware(dependencies.detectGpus);
  const { capabilities } = hardware;
  const engineState = { problem: undefined as string | undefined, served: [] as string[] };

  async function currentSpecs(): Promise<NodeSpecs> {
    const models = await listServedModels(engine, config.engine.models, stop, {
      fits: fitsBudget(hardware.memory),
    });
    reportEngineState(models, engineState, { logger, engine, configured: config.engine.models });
    engineState.served = models.served;
    dependencies.p2p?.setServedModels(models.served);
    return buildNodeSpecs(capabilities, models.served);
  }
  // Never an address (the node does not know how others reach it); the P2P port only with
  // `advertise`. Both are sent as null otherwise, so a node that turns advertising off has
  // what it published before cleared on the control plane.
  const published = {
    address: null,
    port: config.advertise ? (dependencies.p2p?.port ?? null) : null,
  };
  const register = async () =>
    client.register(
      {
        node_id: identity.nodeId,
        name,
        ...published,
        specs: await currentSpecs(),
        ...(config.unlisted ? { listed: false } : {}),
      },
      { signal: stop },
    );

  const registration = await registerUntilAccepted(register, {
    ...dependencies,
    connectivity,
    stop,
  });
  if (!registration) return;
  logger.info(
    {
      nodeId: identity.nodeId,
      providerId: registration.id,
      name,
      controlPlane: config.controlPlaneUrl,
      engine: engine.kind,
      engineLabel: engine.label,
      models: engineState.served,
      gpuCount: capabilities.gpu_count,
      maxConcurrentJobs: config.maxConcurrentJobs,
    },
    'node ready',
  );

  const slots = new JobSlots(config.maxConcurrentJobs);
  const jobs = dependencies.runningJobs ?? new RunningJobs();
  const heartbeat = new Heartbeat({
    client,
    clock,
    logger,
    connectivity,
    body: async () => ({
      // A draining node takes nothing new, so it is never shown as available.
      status: stop.aborted || slots.free === 0 ? 'busy' : 'available',
      ...published,
      specs: await currentSpecs(),
    }),
    onNotRegistered: async () => void (await register()),
  });
  heartbeat.start();
  const keepAlive = new LeaseKeepAlive({
    client,
    jobs,
    clock,
    logger,
    connectivity,
    intervalMs: dependencies.leaseKeepAliveMs,
  });
  keepAlive.start();

  const running = new Set<Promise<unknown>>();
  const jobDependencies = {
    client,
    // All running jobs' token batches share posts (see EventUplink).
    events: new EventUplink({ client }),
    // One phase for this node's batching ticks, random so nodes do not post in step.
    batchTickOffsetMs: Math.floor((dependencies.random ?? Math.random)() * TOKEN_BATCH_INTERVAL_MS),
    engine,
    clock,
    logger,
    node: { nodeId: identity.nodeId, name },
  };
  await runPollLoop({
    client,
    slots,
    jobs,
    clock,
    logger,
    connectivity,
    signal: stop,
    random: dependencies.random,
    leaseKeepAliveMs: dependencies.leaseKeepAliveMs,
    onNotRegistered: async () => void (await register()),
    startJob: (job) => {
      slots.acquire();
      const handle = jobs.add(job, clock.now());
      // The slot stands for the engine's capacity: it is free once the engine
      // is done, while `complete` may still be on its way.
      let holdsSlot = true;
      const freeSlot = () => {
        if (!holdsSlot) return;
        holdsSlot = false;
        slots.release();
      };
      handle.onEngineFinished(freeSlot);
      const runner = handle.job.type === 'embedding' ? runEmbeddingJob : runChatJob;
      const run = runner(handle, jobDependencies).finally(() => {
        jobs.remove(handle);
        freeSlot();
        running.delete(run);
      });
      running.add(run);
    },
  });

  // Leases and heartbeats keep going while running jobs finish.
  await drain({ jobs, running, clock, logger, timeoutMs: config.drainTimeoutMs });
  keepAlive.stop();
  heartbeat.stop();
  await client
    .heartbeat({ status: 'offline' }, { signal: AbortSignal.timeout(OFFLINE_HEARTBEAT_TIMEOUT_MS) })
    .catch(() => {});
  logger.info({ nodeId: identity.nodeId }, 'node stopped');
}

async function registerUntilAccepted(
  register: () => Promise<{ id: string }>,
  context: Pick<DaemonDependencies, 'clock' | 'random'> & {
    connectivity: Connectivity;
    stop: AbortSignal;
  },
): Promise<{ id: string } | undefined> {
  const { clock, connectivity, stop } = context;
  for (let failures = 1; !stop.aborted; failures += 1) {
    try {
      const registration = await register();
      connectivity.succeeded();
      return registration;
    } catch (error) {
      if (stop.aborted) return undefined;
      const transient =
        error instanceof ConnectionError ||
        (error instanceof ApiError && (error.retryable || error.status >= 500));
      if (!transient) throw error;
      connectivity.failed(error);
      await delay(clock, backoffDelayMs(failures, context.random), stop);
    }
  }
  return undefined;
}

function reportEngineState(
  models: Awaited<ReturnType<typeof listServedModels>>,
  state: { problem: string | undefined },
  context: { logger: Logger; engine: Engine; configured: readonly string[] },
): void {
  const { logger, engine } = context;
  const problem = models.engineError
    ? `unreachable:${describeError(models.engineError).message}`
    : models.missing.length > 0
      ? `missing:${models.missing.join(',')}`
      : models.tooLarge?.length
        ? `too-large:${models.tooLarge.join(',')}`
        : undefined;
  if (problem === state.problem) return;
  state.problem = problem;
  if (models.engineError) {
    logger.warn(
      { engine: engine.label, error: describeError(models.engineError) },
      'cannot list the engine models; serving none until it answers (is the engine running? for Ollama: `ollama serve`)',
    );
  } else if (models.missing.length > 0) {
    logger.warn(
      { engine: engine.label, missing: models.missing, served: models.served },
      'configured models are not available in the engine (for Ollama: `ollama pull <model>`)',
    );
  } else if (models.tooLarge?.length) {
    logger.warn(
      { engine: engine.label, tooLarge: models.tooLarge, served: models.served },
      'models that do not fit this node’s memory are not advertised (`infernet model list` shows the estimates)',
    );
  } else {
    logger.info({ engine: engine.label, models: models.served }, 'engine models available');
  }
}

/**
 * Waits up to `timeoutMs` for running jobs to finish, then hands back the
 * rest: the control plane re-queues a job no token of which reached the
 * consumer yet, which beats failing it.
 */
async function drain(context: {
  jobs: RunningJobs;
  running: Set<Promise<unknown>>;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
}): Promise<void> {
  const { jobs, running, clock, logger, timeoutMs } = context;
  // Jobs whose engine is done but whose `complete` is on its way count too.
  if (running.size === 0) return;
  logger.info(
    { runningJobs: running.size, drainTimeoutMs: timeoutMs },
    'waiting for running jobs to finish (send the signal again to exit now)',
  );
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const patience = new Promise<'timeout'>((resolve) => {
    timer = clock.setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const finished = await Promise.race([Promise.allSettled([...running]), patience]);
  if (timer !== undefined) clock.clearTimeout(timer);
  if (finished !== 'timeout' || running.size === 0) return;
  logger.warn(
    { runningJobs: running.size },
    'drain timeout reached; handing the running jobs back to the control plane',
  );
  for (const handle of jobs.list()) handle.handBack();
  await Promise.allSettled([...running]);
}
