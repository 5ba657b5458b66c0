/**
 * Filters: values go out as assertion values; their string form escapes per RFC 4515 (section
 * 4's examples), and parsing that form back gives the raw value, whatever it held.
 */
import { EqualityFilter, FilterParser, type Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { attributeValues, groupFilter, userFilter } from './search.js';
import { LdapConfigSchema } from './settings.js';

const settings = LdapConfigSchema.parse({});

/** The value of the equality assertion at the end of `filter` (an AND of two). */
function assertedValue(filter: Filter): string | Buffer {
  const and = filter as Filter & { filters: Filter[] };
  return (and.filters[1] as EqualityFilter).value;
}

describe('RFC 4515 escaping of assertion values', () => {
  it.each([
    [
      'o',
      'Parens R Us (for all your parenthetical needs)',
      '(o=Parens R Us \\28for all your parenthetical needs\\29)',
    ],
    ['cn', '*', '(cn=\\2a)'],
    ['filename', 'C:\\MyFile', '(filename=C:\\5cMyFile)'],
    ['bin', Buffer.from([0, 0, 0, 4]), '(bin=\\00\\00\\00\\04)'],
    ['sn', 'Lučić', '(sn=Lučić)'],
    ['sn', Buffer.from('Lučić', 'utf8'), '(sn=\\4c\\75\\c4\\8d\\69\\c4\\87)'],
  ])('%s=%j is written %s', (attribute, value, text) => {
    expect(new EqualityFilter({ attribute, value }).toString()).toBe(text);
  });

  it.each([
    ['*', '(&(objectClass=posixAccount)(uid=\\2a))'],
    ['alice)(uid=*', '(&(objectClass=posixAccount)(uid=alice\\29\\28uid=\\2a))'],
    ['*)(|(uid=*', '(&(objectClass=posixAccount)(uid=\\2a\\29\\28|\\28uid=\\2a))'],
    ['admin*', '(&(objectClass=posixAccount)(uid=admin\\2a))'],
    ['alice\\00', '(&(objectClass=posixAccount)(uid=alice\\5c00))'],
    ['alice\0', '(&(objectClass=posixAccount)(uid=alice\\00))'],
  ])('the user filter for %j is %s and parses back to the same value', (login, text) => {
    const filter = userFilter(settings, login);
    expect(filter.toString()).toBe(text);
    expect(assertedValue(FilterParser.parseString(filter.toString()))).toBe(login);
  });

  it('builds group filters by memberUid or by member DN', () => {
    expect(groupFilter(settings, 'al*ce').toString()).toBe(
      '(&(objectClass=posixGroup)(memberUid=al\\2ace))',
    );
    const byDn = LdapConfigSchema.parse({ group_membership: 'member' });
    expect(groupFilter(byDn, 'uid=a(b),ou=people').toString()).toBe(
      '(&(objectClass=posixGroup)(member=uid=a\\28b\\29,ou=people))',
    );
  });

  it('ANDs a compound user_filter in whole', () => {
    const s = LdapConfigSchema.parse({
      user_filter: '(&(objectClass=posixAccount)(!(loginShell=/bin/false)))',
    });
    expect(userFilter(s, 'bob').toString()).toBe(
      '(&(&(objectClass=posixAccount)(!(loginShell=/bin/false)))(uid=bob))',
    );
  });
});

describe('attributeValues', () => {
  it('finds an attribute whatever its case, as a list of strings', () => {
    const entry = {
      dn: 'uid=a',
      uidNumber: '5001',
      memberUid: ['a', 'b'],
      photo: Buffer.from('x'),
    };
    expect(attributeValues(entry, 'uidnumber')).toEqual(['5001']);
    expect(attributeValues(entry, 'memberUid')).toEqual(['a', 'b']);
    expect(attributeValues(entry, 'photo')).toEqual(['x']);
    expect(attributeValues(entry, 'mail')).toEqual([]);
    expect(attributeValues(entry, 'dn')).toEqual([]);
  });
});
