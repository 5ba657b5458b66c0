/**
 * The searches. Filters are built as ldapts filter objects and sent BER-encoded: a login is an
 * assertion value, never filter syntax, whatever characters it holds (RFC 4515 escaping is
 * what their string form shows). The plugin checks the login pattern before this as well.
 */
import {
  AndFilter,
  EqualityFilter,
  FilterParser,
  type Client,
  type Entry,
  type Filter,
} from 'ldapts';
import { step, type DirectoryTarget } from './directory.js';
import type { LdapConfig } from './settings.js';

/** `(&<user_filter>(<user_attribute>=<login>))`. */
export function userFilter(settings: LdapConfig, login: string): Filter {
  return new AndFilter({
    filters: [
      FilterParser.parseString(settings.user_filter),
      new EqualityFilter({ attribute: settings.user_attribute, value: login }),
    ],
  });
}

/** `(&<group_filter>(memberUid=<login>))` or `(&<group_filter>(member=<user DN>))`. */
export function groupFilter(settings: LdapConfig, member: string): Filter {
  return new AndFilter({
    filters: [
      FilterParser.parseString(settings.group_filter),
      new EqualityFilter({ attribute: settings.group_membership, value: member }),
    ],
  });
}

/** The attributes read from a user entry. */
function userAttributes(s: LdapConfig): string[] {
  return [
    s.user_attribute,
    s.uid_number_attribute,
    s.gid_number_attribute,
    s.home_attribute,
    s.mail_attribute,
  ];
}

/**
 * The user entries whose login attribute equals `login` (at most two: one more than a unique
 * match needs). No pattern check here, on purpose: tests call it with hostile names.
 */
export async function findUserEntries(
  client: Client,
  target: DirectoryTarget,
  login: string,
): Promise<Entry[]> {
  const { settings } = target;
  const result = await step(target, 'user search', () =>
    client.search(settings.user_base, {
      scope: 'sub',
      derefAliases: 'never',
      filter: userFilter(settings, login),
      attributes: userAttributes(settings),
      sizeLimit: 2,
    }),
  );
  return result.searchEntries;
}

/** The gid attribute values of the groups `member` belongs to (none when group_base is empty). */
export async function findGroupIds(
  client: Client,
  target: DirectoryTarget,
  member: string,
): Promise<string[]> {
  const { settings } = target;
  if (settings.group_base === '') return [];
  const result = await step(target, 'group search', () =>
    client.search(settings.group_base, {
      scope: 'sub',
      derefAliases: 'never',
      filter: groupFilter(settings, member),
      attributes: [settings.gid_number_attribute],
    }),
  );
  return result.searchEntries.flatMap((e) => attributeValues(e, settings.gid_number_attribute));
}

/** The string values of attribute `name` in `entry` (servers may spell the name differently). */
export function attributeValues(entry: Entry, name: string): string[] {
  const lower = name.toLowerCase();
  const key = Object.keys(entry).find((k) => k !== 'dn' && k.toLowerCase() === lower);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}
