// The kubelet's line discipline for tty=true (src/node/tty.ts) and exec/attach request parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ttyInput, ttyOutput } from '../../src/node/tty.ts';
import { parseExec } from '../../src/node/exec.ts';

test('ttyInput: echo, lines on Enter, backspace, ^U, ^C, ^D', () => {
  const table: [string, string, { echo: string; forward: string; signal?: string; eof?: boolean }, string][] = [
    // [line before, typed, result, line after]
    ['', 'ab', { echo: 'ab', forward: '' }, 'ab'],
    ['ab', 'c\r', { echo: 'c\r\n', forward: 'abc\n' }, ''],
    ['', 'x\ny\r', { echo: 'x\r\ny\r\n', forward: 'x\ny\n' }, ''],
    ['ab', '\x7f', { echo: '\b \b', forward: '' }, 'a'],
    ['', '\x7f', { echo: '', forward: '' }, ''],
    ['abc', '\x15', { echo: '\b \b\b \b\b \b', forward: '' }, ''],
    ['ab', '\x03', { echo: '^C\r\n', forward: '', signal: 'SIGINT' }, ''],
    ['', '\x04', { echo: '', forward: '', eof: true }, ''],
    ['ab', '\x04', { echo: '', forward: 'ab' }, ''],
    ['', '\x1b', { echo: '', forward: '' }, ''],
    ['', 'é\r', { echo: 'é\r\n', forward: 'é\n' }, ''],
  ];
  for (const [before, typed, want, after] of table) {
    const st = { line: before };
    assert.deepEqual(ttyInput(Buffer.from(typed), st), want, JSON.stringify(typed));
    assert.equal(st.line, after, JSON.stringify(typed));
  }
});

test('ttyOutput: LF to CRLF, CRLF kept', () => {
  assert.equal(ttyOutput(Buffer.from('a\nb\r\nc')).toString(), 'a\r\nb\r\nc');
});

test('parseExec: attach has no command; tty flag', () => {
  assert.deepEqual(parseExec('/nodes/n/attach/default/web/app?stdin=true&stdout=true&tty=true'), {
    verb: 'attach', node: 'n', namespace: 'default', pod: 'web', container: 'app', command: [], stdin: true, tty: true,
  });
});
