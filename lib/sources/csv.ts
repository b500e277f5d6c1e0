/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a field in double quotes may
 * hold commas, line breaks and doubled quotes. Calls `onRecord(fields, line)` with the 1-based line
 * a record starts on, or `onError(line, message)` for a record with broken quoting (and then
 * resumes at the next line).
 */
export function forEachCsvRecord(
  text: string,
  onRecord: (fields: string[], line: number) => void,
  onError: (line: number, message: string) => void,
): void {
  const len = text.length;
  let i = 0;
  let line = 1; // line of position i
  while (i < len) {
    const recordLine = line;
    const fields: string[] = [];
    let broken: string | undefined;
    for (;;) {
      if (i < len && text.charCodeAt(i) === 34) {
        i++;
        let value = '';
        let chunk = i;
        let closed = false;
        while (i < len) {
          const c = text.charCodeAt(i);
          if (c === 34) {
            if (i + 1 < len && text.charCodeAt(i + 1) === 34) {
              value += text.slice(chunk, i + 1);
              i += 2;
              chunk = i;
              continue;
            }
            value += text.slice(chunk, i);
            i++;
            closed = true;
            break;
          }
          if (c === 10) line++;
          i++;
        }
        if (!closed) {
          broken = 'unterminated quoted field';
          break;
        }
        fields.push(value);
        if (i >= len) break;
        let c = text.charCodeAt(i);
        if (c === 44) {
          i++;
          continue;
        }
        if (c === 13 && i + 1 < len && text.charCodeAt(i + 1) === 10) {
          i++;
          c = 10;
        }
        if (c !== 10) {
          broken = 'text after a closing quote (a quote inside a field must be doubled)';
          break;
        }
        i++;
        line++;
        break;
      }
      const start = i;
      while (i < len) {
        const c = text.charCodeAt(i);
        if (c === 44 || c === 10) break;
        if (c === 34) {
          broken = 'quote inside an unquoted field';
          break;
        }
        i++;
      }
      if (broken !== undefined) break;
      let end = i;
      if (
        end > start &&
        text.charCodeAt(end - 1) === 13 &&
        (i >= len || text.charCodeAt(i) === 10)
      ) {
        end--;
      }
      fields.push(text.slice(start, end));
      if (i < len && text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      i++;
      line++;
      break;
    }
    if (broken !== undefined) {
      onError(recordLine, broken);
      const nl = text.indexOf('\n', i);
      if (nl < 0) return;
      i = nl + 1;
      line++;
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    onRecord(fields, recordLine);
  }
}
