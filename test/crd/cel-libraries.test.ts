// Kubernetes' CEL extension libraries in the shared environment (src/api/cel/libs.ts, net.ts,
// authz.ts): sets, url, quantity, semver, ip, cidr, authorizer; each row an expression that must be
// true, or the error it must give. Table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesEnvironment } from '../../src/api/cel/env.ts';
import { quote } from '../../src/api/cel/strings.ts';
import { AUTHORIZER_TYPE, CelAuthorizer, type AuthzAttributes, type AuthzUser } from '../../src/api/cel/authz.ts';

const env = kubernetesEnvironment().registerVariable('authorizer', AUTHORIZER_TYPE);

const TRUE: [string, string[]][] = [
  ['sets', ['sets.contains([1,2],[1])', 'sets.contains([1.0],[1])', 'sets.equivalent([1,2],[2,1,1])', '!sets.intersects([1],[2])', 'sets.intersects([1,2],[2])']],
  ['url', ["url('https://x:8080/y?a=1&a=2').getHost() == 'x:8080'", "url('https://x:8080/y').getPort() == '8080'", "url('https://[::1]:80/').getHostname() == '::1'", "url('/a/b').getScheme() == ''", "url('https://x/y%20z').getEscapedPath() == '/y%20z'", "url('https://x/y?a=1&a=2').getQuery()['a'] == ['1', '2']", "isURL('https://x')", "!isURL('x y')", "!isURL('https://x/#frag')"]],
  ['quantity', ["quantity('1Gi').isGreaterThan(quantity('1Mi'))", "isQuantity('1Gi')", "!isQuantity('1Gx')", "quantity('1').add(2).asInteger() == 3", "!quantity('500m').isInteger()", "quantity('1k').compareTo(quantity('1000')) == 0", "quantity('1k') == quantity('1000')", "string(quantity('1.5Gi')) == '1536Mi'", "quantity('2').sub(quantity('3')).sign() == -1", "quantity('1.5').asApproximateFloat() == 1.5"]],
  ['semver', ["semver('1.2.3').major() == 1", "isSemver('1.2.3')", "!isSemver('1.2')", "semver('1.2.3').isLessThan(semver('1.10.0'))", "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", "semver('1.0.0-alpha.1').compareTo(semver('1.0.0-alpha.beta')) == -1", "semver('1.0.0+b1') == semver('1.0.0+b2')"]],
  ['ip', ["ip('10.0.0.1').family() == 4", "isIP('1.2.3.4')", "!isIP('1.2.3')", "!isIP('::ffff:1.2.3.4')", "!isIP('010.0.0.1')", "ip('::1').isLoopback()", "ip('fe80::1').isLinkLocalUnicast()", "ip('224.0.0.1').isLinkLocalMulticast()", "ip('8.8.8.8').isGlobalUnicast()", "!ip('0.0.0.0').isGlobalUnicast()", "ip('::').isUnspecified()", "string(ip('2001:DB8::1')) == '2001:db8::1'", "ip.isCanonical('2001:db8::1')", "!ip.isCanonical('2001:DB8::1')"]],
  ['cidr', ["cidr('10.0.0.0/8').containsIP(ip('10.1.1.1'))", "!cidr('10.0.0.0/8').containsIP('11.1.1.1')", "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", "!cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')", "isCIDR('10.0.0.0/8')", "!isCIDR('10.0.0.0/33')", "string(cidr('10.1.2.3/8').masked()) == '10.0.0.0/8'", "cidr('10.1.2.3/8').prefixLength() == 8", "cidr('::1/128').ip() == ip('::1')", "cidr('2001:db8::/32').containsIP('2001:db8::5')"]],
  ['format', ["!format.dns1123Label().validate('abc').hasValue()", "format.dns1123Label().validate('ABC').value()[0].startsWith('a lowercase RFC 1123 label must consist of')", "format.named('uuid').hasValue()", "!format.named('nope').hasValue()", "format.named('uuid').value().validate('x').value() == ['does not match the UUID format']", "!format.dns1123SubdomainPrefix().validate('abc-').hasValue()", "format.dns1123Subdomain().validate('abc-').hasValue()", "!format.datetime().validate('2024-01-01T00:00:00Z').hasValue()", "format.labelValue().validate('a b').hasValue()"]],
  ['strings', ["'%s has %d items'.format(['x', 3]) == 'x has 3 items'", "'%.2f|%e|%x|%X|%o|%b|%%'.format([1.5, 1500.0, 255, 255, 8, 5]) == '1.50|1.500000e+03|ff|FF|10|101|%'", "'%s'.format([[1, 'a']]) == '[1, \"a\"]'", "strings.quote('ab') == '\"ab\"'", "strings.quote('a\\nb').size() == 6"]],
];

const ERRORS: [string, RegExp][] = [
  ["url('x y').getHost() == ''", /invalid URI for request/],
  ["quantity('1Gx').sign() == 1", /quantities must match the regular expression/],
  ["ip('::ffff:1.2.3.4').family() == 6", /IPv4-mapped IPv6 address is not allowed/],
  ["semver('v1').major() == 1", /could not parse "v1" as semver/],
  ["quantity('1.5').asInteger() == 1", /cannot convert value to integer/],
  ["'%d'.format(['x']) == ''", /decimal format clause can only be used on integers/],
];

test('Kubernetes CEL libraries: sets, url, quantity, semver, ip, cidr, format, strings', () => {
  for (const [lib, exprs] of TRUE) {
    for (const x of exprs) {
      const c = env.check(x);
      assert.ok(c.valid, `${lib}: ${x} compiles: ${(c as any).error?.message}`);
      assert.equal(env.evaluate(x, {}), true, `${lib}: ${x}`);
    }
  }
  for (const [x, want] of ERRORS) assert.throws(() => env.evaluate(x, {}), want, x);
  assert.equal(quote('a"b\\\n\t'), '"a\\"b\\\\\\n\\t"', 'strings.quote escapes as Go does');
});

test('authorizer library: each check asks the seam with the request user or a service account', async () => {
  const asked: { user: string; groups: string[]; attrs: AuthzAttributes }[] = [];
  const authorize = async (u: AuthzUser, attrs: AuthzAttributes) => {
    asked.push({ user: u.username, groups: u.groups, attrs });
    return attrs.verb === 'get' || attrs.path === '/healthz' ? { decision: 'allow' as const, reason: 'ok by test' } : { decision: 'noOpinion' as const, reason: '' };
  };
  const authorizer = new CelAuthorizer(authorize, { username: 'alice', groups: ['dev'] }, { group: 'apps', resource: 'deployments', namespace: 'prod', name: 'web' });
  const cases: [string, unknown, AuthzAttributes, string?][] = [
    ["authorizer.group('apps').resource('deployments').namespace('prod').name('web').check('get').allowed()", true, { group: 'apps', resource: 'deployments', namespace: 'prod', name: 'web', verb: 'get' }],
    ["authorizer.group('').resource('pods').subresource('log').check('delete').allowed()", false, { group: '', resource: 'pods', subresource: 'log', verb: 'delete' }],
    ["authorizer.group('').resource('pods').check('get').reason()", 'ok by test', { group: '', resource: 'pods', verb: 'get' }],
    ["authorizer.path('/healthz').check('get').allowed()", true, { path: '/healthz', verb: 'get' }],
    ["authorizer.requestResource.check('escalate').allowed()", false, { group: 'apps', resource: 'deployments', subresource: undefined, namespace: 'prod', name: 'web', verb: 'escalate' } as AuthzAttributes],
    ["authorizer.requestResource.subresource('scale').check('get').allowed()", true, { group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'prod', name: 'web', verb: 'get' }],
    ["authorizer.serviceAccount('prod', 'builder').group('').resource('secrets').check('list').errored()", false, { group: '', resource: 'secrets', verb: 'list' }, 'system:serviceaccount:prod:builder'],
  ];
  for (const [expr, want, attrs, user] of cases) {
    asked.length = 0;
    assert.ok(env.check(expr).valid, expr);
    assert.equal(await env.evaluate(expr, { authorizer }), want, expr);
    assert.equal(asked.length, 1, `${expr}: one check`);
    assert.deepEqual(JSON.parse(JSON.stringify(asked[0].attrs)), JSON.parse(JSON.stringify(attrs)), `${expr}: attributes`);
    assert.equal(asked[0].user, user ?? 'alice', `${expr}: user`);
  }
  asked.length = 0;
  await env.evaluate("authorizer.serviceAccount('prod', 'builder').path('/x').check('get').allowed()", { authorizer });
  assert.deepEqual(asked[0].groups, ['system:serviceaccounts', 'system:serviceaccounts:prod']);
  const failing = new CelAuthorizer(async () => {
    throw new Error('authorizer down');
  }, { username: 'bob', groups: [] });
  assert.equal(await env.evaluate("authorizer.path('/x').check('get').error()", { authorizer: failing }), 'authorizer down');
});
