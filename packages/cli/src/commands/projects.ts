/** `god projects list|show|add|set|members|remove`: projects, their members, quotas and limits. */
import type { Command } from 'commander';
import { usage } from '../errors.js';
import { intOption, table, text, time } from '../format.js';
import { collectList, type Kit } from '../kit.js';
import type { ExitCode } from '../output.js';
import {
  describeQuota,
  editable,
  limitFlags,
  limitsOf,
  quotaFlags,
  quotaOf,
  type LimitOptions,
  type QuotaFields,
  type QuotaOptions,
} from './account-options.js';

interface ProjectOptions extends QuotaOptions, LimitOptions {
  description?: string;
  member: string[];
  priority?: string;
  json?: boolean;
}

/** Registers `god projects`. */
export function registerProjects(program: Command, kit: Kit): void {
  const projects = program
    .command('projects')
    .description('projects: members, priority, quotas, limits');
  projects
    .command('list')
    .description('projects you are a member of (all for administrators)')
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (opts: { json?: boolean }) => {
        const answer = await (await kit.remote()).client.projects();
        if (opts.json === true) kit.json(answer);
        else for (const line of projectTable(answer.projects)) kit.ctx.io.out(line);
        return 0;
      }),
    );
  projects
    .command('show <project>')
    .description('one project')
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (id: string, opts: { json?: boolean }) => {
        const p = await (await kit.remote()).client.project(id);
        if (opts.json === true) kit.json(p);
        else for (const line of describeProject(p)) kit.ctx.io.out(line);
        return 0;
      }),
    );
  registerProjectChanges(projects, kit);
}

/** add, set, members and remove. */
function registerProjectChanges(projects: Command, kit: Kit): void {
  const fields = (cmd: Command, changing: boolean): Command =>
    limitFlags(
      quotaFlags(
        cmd
          .option('--description <text>', 'what the project is')
          .option('--priority <n>', 'priority 0-100 for fair share (default 50)')
          .option('--json', 'the API answer as JSON'),
        changing,
      ),
      changing,
    );
  fields(
    projects
      .command('add <project>')
      .description('create a project (administrators)')
      .option('--member <logins>', 'a member (repeatable, comma list)', collectList, []),
    false,
  ).action(kit.action((id: string, opts: ProjectOptions) => addProject(kit, id, opts)));
  fields(
    projects.command('set <project>').description('change a project: only the fields given'),
    true,
  ).action(
    kit.action((id: string, opts: ProjectOptions) => setProject(kit, id, { ...opts, member: [] })),
  );
  projects
    .command('members <project>')
    .description('add and remove members (administrators)')
    .option('--add <logins>', 'members to add (repeatable, comma list)', collectList, [])
    .option('--remove <logins>', 'members to remove (repeatable, comma list)', collectList, [])
    .action(
      kit.action(async (id: string, opts: { add: string[]; remove: string[] }) => {
        if (opts.add.length === 0 && opts.remove.length === 0)
          throw usage('give --add or --remove');
        const p = await (
          await kit.remote()
        ).client.projectMembers(id, { add: opts.add, remove: opts.remove });
        const members = Array.isArray(p['members']) ? p['members'].join(', ') : '';
        kit.ctx.io.out(`project ${id} members: ${members || 'none'}`);
        return 0;
      }),
    );
  projects
    .command('remove <project>')
    .description('delete a project (administrators; not the default one)')
    .action(
      kit.action(async (id: string) => {
        await (await kit.remote()).client.deleteProject(id);
        kit.ctx.io.out(`project ${id} removed`);
        return 0;
      }),
    );
}

function projectFields(
  opts: ProjectOptions,
  current: { quota: QuotaFields | null; limits: Record<string, number> | null },
): Record<string, unknown> {
  const quota = quotaOf(opts, current.quota);
  const limits = limitsOf(opts, current.limits);
  return {
    ...(opts.description !== undefined && { description: opts.description }),
    ...(opts.member.length > 0 && { members: opts.member }),
    ...(opts.priority !== undefined && { priority: intOption('--priority', opts.priority) }),
    ...(quota !== undefined && { quota }),
    ...(limits !== undefined && { limits }),
  };
}

async function addProject(kit: Kit, id: string, opts: ProjectOptions): Promise<ExitCode> {
  const fields = projectFields(opts, { quota: null, limits: null });
  const created = await (await kit.remote()).client.createProject({ id, ...fields });
  if (opts.json === true) kit.json(created);
  else kit.ctx.io.out(`project ${id} created`);
  return 0;
}

async function setProject(kit: Kit, id: string, opts: ProjectOptions): Promise<ExitCode> {
  const { client } = await kit.remote();
  const current = await client.project(id);
  const fields = projectFields(opts, {
    quota: (current['quota'] ?? null) as QuotaFields | null,
    limits: (current['limits'] ?? null) as Record<string, number> | null,
  });
  if (Object.keys(fields).length === 0) throw usage('nothing to change');
  const updated = await client.updateProject(id, {
    ...editable(current, PROJECT_FIELDS),
    ...fields,
  });
  if (opts.json === true) kit.json(updated);
  else kit.ctx.io.out(`project ${id} updated: ${Object.keys(fields).join(', ')}`);
  return 0;
}

/** What `projects set` may change: sent whole, as `users set` does (see `editable`). */
const PROJECT_FIELDS = ['description', 'members', 'priority', 'quota', 'limits'];

function projectTable(projects: ReadonlyArray<Record<string, unknown>>): string[] {
  const rows = projects.map((p) => [
    String(p['id']),
    String(p['priority']),
    String(Array.isArray(p['members']) ? p['members'].length : 0),
    describeQuota(p['quota']),
    text(p['description'], ''),
  ]);
  return table(['PROJECT', 'PRIORITY', 'MEMBERS', 'QUOTA', 'DESCRIPTION'], rows);
}

function describeProject(p: Record<string, unknown>): string[] {
  const limits = p['limits'] as Record<string, number> | null;
  const shownLimits =
    limits === null
      ? 'none'
      : Object.entries(limits)
          .map(([k, v]) => `${k} ${v === 0 ? 'unlimited' : v}`)
          .join(', ');
  return [
    `project:     ${String(p['id'])}`,
    `description: ${text(p['description'])}`,
    `members:     ${Array.isArray(p['members']) ? p['members'].join(', ') || 'none' : 'none'}`,
    `priority:    ${String(p['priority'])}`,
    `quota:       ${describeQuota(p['quota'])}`,
    `limits:      ${shownLimits}`,
    `created:     ${time(typeof p['createdAt'] === 'number' ? p['createdAt'] : null)}`,
  ];
}
