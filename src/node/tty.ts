// What `tty=true` means for kubectl exec/attach here: containers have no pseudo-terminal (programs
// run on pipes, process.stdout.isTTY is false), while kubectl puts the user's terminal in raw mode.
// So the kubelet plays the terminal's line discipline (canonical mode) on the pipes: typed
// characters are echoed, a line goes to the program when Enter is pressed, backspace edits it,
// ^C sends SIGINT, ^D on an empty line ends stdin, and output's "\n" becomes "\r\n". Resize
// messages (channel 4) are accepted and ignored: no terminal has a size to set.

export interface LineState {
  line: string;
}

export interface TtyInput {
  /** What the terminal shows (to stdout). */
  echo: string;
  /** Complete lines for the program's stdin. */
  forward: string;
  signal?: 'SIGINT' | 'SIGQUIT';
  /** ^D on an empty line. */
  eof?: boolean;
}

/** Typed bytes through the line discipline (state carries the line being edited). Pure but for `st`. */
export function ttyInput(data: Buffer, st: LineState): TtyInput {
  const out: TtyInput = { echo: '', forward: '' };
  for (const ch of data.toString('utf8')) {
    const code = ch.charCodeAt(0);
    if (code === 0x03 || code === 0x1c) {
      out.echo += code === 0x03 ? '^C\r\n' : '^\\\r\n';
      out.signal = code === 0x03 ? 'SIGINT' : 'SIGQUIT';
      st.line = '';
    } else if (code === 0x04) {
      if (st.line === '') {
        out.eof = true;
        break;
      }
      out.forward += st.line;
      st.line = '';
    } else if (ch === '\r' || ch === '\n') {
      out.echo += '\r\n';
      out.forward += `${st.line}\n`;
      st.line = '';
    } else if (code === 0x7f || code === 0x08) {
      if (st.line) {
        st.line = [...st.line].slice(0, -1).join('');
        out.echo += '\b \b';
      }
    } else if (code === 0x15) {
      out.echo += '\b \b'.repeat([...st.line].length); // ^U: kill the line
      st.line = '';
    } else if (code >= 0x20 || ch === '\t') {
      st.line += ch;
      out.echo += ch;
    }
  }
  return out;
}

/** Program output for a raw terminal: LF → CRLF (a CRLF stays). Pure. */
export function ttyOutput(data: Buffer): Buffer {
  return Buffer.from(data.toString('utf8').replace(/\r?\n/g, '\r\n'));
}
