/** Answers of the routes the web UI reads: task summaries, the cluster, the fair share. */

/** An array job's tasks counted by state and outcome (tasks not made yet count as pending). */
export interface TaskSummary {
  total: number;
  pending: number;
  held: number;
  scheduled: number;
  running: number;
  suspended: number;
  success: number;
  failed: number;
  killed: number;
  /** Ended lost, rejected or over quota; or never made because the array ended. */
  other: number;
}

/** Who holds a core or GPU: a job you may see, someone else's ('busy'), or nobody. */
export type Holder = null | 'busy' | { id: number; user: string; name: string };

/** One shard (NUMA node) of a host. */
export interface ClusterShard {
  id: string;
  cores: Array<{ id: number; job: Holder }>;
  ramGB: number;
  /** RAM the jobs placed on this shard asked for. */
  ramUsedGB: number;
  gpus: Array<{ id: number; job: Holder }>;
}

/** One agent host. */
export interface ClusterHost {
  name: string;
  /** Heartbeat within `scheduler.host_timeout_ms`. */
  alive: boolean;
  /** Last heartbeat, epoch ms. */
  lastSeen: number;
  labels: Record<string, string>;
  reservedFor: { users: string[]; projects: string[] } | null;
  shards: ClusterShard[];
}

/** The cluster and the maintenance flag. */
export interface Cluster {
  maintenance: boolean;
  hosts: ClusterHost[];
}

/** One user's or project's standing in the fair share (all null but usage under FIFO). */
export interface Standing {
  /** Configured share in [0, 1]. */
  share: number | null;
  /** Decayed usage in billing units. */
  usage: number;
  /** What fair share and priority add to its jobs' scores; higher runs first. */
  priority: number | null;
  factors: {
    fairshare: number;
    usageShare: number;
    configuredPriority: number;
    active: boolean;
  } | null;
  /** 1 = favoured most. */
  rank: number | null;
  /** Administrators only: achieved share − configured share. */
  fairnessError?: number;
}

/** The answer of `GET /fairshare`. */
export interface Fairshare {
  policy: 'fifo' | 'fairshare';
  users: Array<Standing & { user: string }>;
  projects: Array<Standing & { project: string }>;
}

/** One bucket of `GET /usage/history`: a project's usage in an hour or UTC day. */
export interface UsageBucket {
  /** Epoch ms at which the bucket starts. */
  start: number;
  project: string;
  cpuSeconds: number;
  ramGBSeconds: number;
  gpuSeconds: number;
  wallSeconds: number;
  /** Jobs that ended in the bucket. */
  jobs: number;
}

/** The answer of `GET /usage/history` (buckets without usage are left out). */
export interface UsageHistory {
  bucket: 'hour' | 'day';
  /** Start of the first bucket (`from` rounded down), epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  buckets: UsageBucket[];
}

/** A running job's last usage samples, oldest first (`GET /jobs/{id}/usage/live`). */
export interface LiveUsage {
  samples: { t: number; cpuSeconds: number; memBytes: number }[];
}
