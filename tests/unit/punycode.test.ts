import { describe, expect, it } from 'vitest';
import { decodePunycode, hostnameToUnicode } from '../../lib/punycode';

describe('punycode', () => {
  it('shows stored punycode names in Unicode', () => {
    expect(hostnameToUnicode('xn--bcher-kva.example')).toBe('bücher.example');
    expect(hostnameToUnicode('xn--fiqs8s.xn--55qx5d.cn')).toBe('中国.公司.cn');
    expect(hostnameToUnicode('www.xn--mnchen-3ya.de')).toBe('www.münchen.de');
    expect(hostnameToUnicode('example.com')).toBe('example.com');
  });

  it('round-trips what the URL parser encodes', () => {
    for (const name of ['bücher.example', 'пример.испытание', 'δοκιμή.example', '例子.测试']) {
      expect(hostnameToUnicode(new URL(`http://${name}`).hostname)).toBe(name);
    }
  });

  it('leaves a label that is not valid punycode as it is', () => {
    expect(decodePunycode('!!')).toBeNull();
    expect(decodePunycode('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz')).toBeNull();
    expect(hostnameToUnicode('xn--!!.example')).toBe('xn--!!.example');
  });
});
