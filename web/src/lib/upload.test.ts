import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import {
  base64, bodySize, dbfProblem, faMessage, fileSize, MAX_BODY, problemCount, problemRow, refuse, uploadError,
} from './upload';

/** Bytes that follow no pattern a chunking bug could hide in. */
function noise(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** RFC 4648 base64, three bytes at a time: the reference, with no chunks and no btoa. */
function reference(b: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += A[n >> 18] + A[(n >> 12) & 63] + (i + 1 < b.length ? A[(n >> 6) & 63] : '=') + (i + 2 < b.length ? A[n & 63] : '=');
  }
  return s;
}

describe('base64', () => {
  it('gives RFC 4648\'s test vectors', () => {
    const enc = (t: string) => base64(new TextEncoder().encode(t));
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual(['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy']);
  });
  it('is the standard base64 of the bytes, at every length around the chunk size', () => {
    for (const n of [1, 2, 3, 4, 24575, 24576, 24577, 24578, 49152, 100001]) {
      const b = noise(n);
      expect(base64(b), `length ${n}`).toBe(reference(b));
    }
  });
  it('keeps every byte value, the high ones too', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Uint8Array.from(atob(base64(all)), (c) => c.charCodeAt(0))).toEqual(all);
  });
  it('does not overflow the stack on a file of several megabytes', () => {
    const b = noise(5 << 20);
    expect(base64(b).length).toBe(4 * Math.ceil(b.length / 3));
  });
});

describe('bodySize', () => {
  it('is the length of the JSON body the files make', () => {
    const kar = noise(1000), wor = noise(4097);
    const body = JSON.stringify({ dbf: { kar: base64(kar), wor: base64(wor) } });
    expect(bodySize(kar.length, wor.length)).toBe(body.length);
  });
  it('tells files that fit the route\'s 8 MiB from files that do not', () => {
    expect(bodySize((3 << 20) - 100, (3 << 20) - 100)).toBeLessThanOrEqual(MAX_BODY);
    expect(bodySize(3 << 20, 3 << 20)).toBeGreaterThan(MAX_BODY);
  });
});

describe('dbfProblem', () => {
  const header = (headerLen: number, size: number) => {
    const b = new Uint8Array(size);
    b[0] = 0x03;
    b[8] = headerLen & 0xff;
    b[9] = headerLen >> 8;
    return b;
  };
  it('passes what may be a dBase file, for the server to judge', () => {
    expect(dbfProblem(header(65, 65))).toBe('');
    expect(dbfProblem(header(961, 5000))).toBe('');
  });
  it('names an empty file, one shorter than a header, and a header length out of the file', () => {
    expect(dbfProblem(new Uint8Array(0))).toBe('file_empty');
    expect(dbfProblem(header(65, 40))).toBe('not_dbf');
    expect(dbfProblem(header(64, 200))).toBe('not_dbf');
    expect(dbfProblem(header(961, 900))).toBe('not_dbf');
    // a spreadsheet chosen by mistake: where dBase keeps the header length, a ZIP (xlsx) keeps
    // its compression method, 8
    const zip = new Uint8Array(4000);
    zip.set([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);
    expect(dbfProblem(zip)).toBe('not_dbf');
  });
});

describe('uploadError', () => {
  it('puts a file refused in the browser under that file', () => {
    const u = uploadError(refuse('file_missing', 'dbf.wor'));
    expect(u.field).toBe('dbf.wor');
    expect(u.text).toMatch(/انتخاب کنید/);
    expect(uploadError(refuse('not_dbf', 'dbf.kar'))).toMatchObject({ field: 'dbf.kar', text: expect.stringMatching(/dBase/) });
  });
  it('says what the server refused, in Persian, under the field it names', () => {
    expect(uploadError(new ApiError(400, 'invalid_field', 'dbf.kar is not base64', 'dbf.kar'))).toMatchObject({ field: 'dbf.kar' });
    const d = uploadError(new ApiError(422, 'dbf_invalid', 'not a usable dBase file: no fields', 'dbf'));
    expect(d.field).toBe('dbf');
    expect(d.text).toMatch(/DSKKAR00\.DBF و DSKWOR00\.DBF/);
    // a 413: JSON from the route, or libevent's own page with no JSON at all
    for (const e of [new ApiError(413, 'body_too_large', 'over', 'body'), new ApiError(413, 'internal', 'Payload Too Large')]) {
      expect(uploadError(e)).toMatchObject({ field: 'dbf', text: expect.stringMatching(/۸ مگابایت/) });
    }
  });
  it('leaves other errors to the app\'s Persian texts', () => {
    expect(uploadError(new ApiError(403, 'forbidden', 'no'))).toEqual({ field: '', text: 'شما اجازه این کار را ندارید.' });
    expect(uploadError(new TypeError('x')).text).toMatch(/ارتباط با سرور/);
    // a code of the upload's own, sent for another field, is not taken for a file's problem
    expect(uploadError(new ApiError(400, 'invalid_field', 'x', 'limit')).text).toBe('مقدار این بخش درست نیست.');
  });
});

describe('problemRow', () => {
  const p = { file: 'DSKWOR00', row: 12, field: 'DSW_BIME', code: 'share_mismatch', message: 'سهم بیمه‌شده نادرست است', message_en: 'wrong' };
  it('names the file, the row in Persian digits and the column as the list software does', () => {
    expect(problemRow(p)).toEqual({ file: 'فایل بیمه‌شدگان', row: '۱۲', column: 'سهم بیمه‌شده', code: 'DSW_BIME', message: 'سهم بیمه‌شده نادرست است' });
    expect(problemRow({ ...p, file: 'DSKKAR00', row: 1, field: 'DSK_TBIME' })).toMatchObject({ file: 'فایل کارگاه', row: '۱', column: 'جمع سهم بیمه‌شده' });
  });
  it('gives the message\'s numbers in Persian digits', () => {
    expect(problemRow({ ...p, message: 'روزهای کارکرد 40 است' }).message).toBe('روزهای کارکرد ۴۰ است');
  });
  it('reads row 0 as the whole file, and keeps what it has no name for', () => {
    expect(problemRow({ ...p, row: 0, field: 'DSW_XYZ' })).toMatchObject({ row: 'کل فایل', column: '', code: 'DSW_XYZ' });
    expect(problemRow({ ...p, file: '', message: '' })).toMatchObject({ file: '—', message: 'wrong' });
  });
});

describe('faMessage', () => {
  it('shows the numbers of a message in Persian digits, not those of a file\'s or a column\'s name', () => {
    expect(faMessage('سهم بیمه‌شده: 12593272 اعلام شده، باید 12593271 باشد')).toBe('سهم بیمه‌شده: ۱۲۵۹۳۲۷۲ اعلام شده، باید ۱۲۵۹۳۲۷۱ باشد');
    expect(faMessage('فایل DSKKAR00 باید درست یک ردیف داشته باشد؛ 2 ردیف دارد')).toBe('فایل DSKKAR00 باید درست یک ردیف داشته باشد؛ ۲ ردیف دارد');
    expect(faMessage('مقدار ستون DSW_DD عدد درستی نیست: «4x»')).toBe('مقدار ستون DSW_DD عدد درستی نیست: «۴x»');
  });
});

describe('fileSize', () => {
  it('reads as bytes, kilobytes or megabytes in Persian digits', () => {
    expect(fileSize(0)).toBe('۰ بایت');
    expect(fileSize(1023)).toBe('۱۰۲۳ بایت');
    expect(fileSize(1024)).toBe('۱ کیلوبایت');
    expect(fileSize(1536)).toBe('۱٫۵ کیلوبایت');
    expect(fileSize(6 << 20)).toBe('۶ مگابایت');
  });
});

describe('problemCount', () => {
  it('counts the problems listed, or those the message counts when the list was cut', () => {
    const list = [{ file: 'DSKWOR00', row: 1, field: 'DSW_DD', code: 'bad_days', message: '', message_en: '' }];
    expect(problemCount(list, 'the list is refused whole: 1 problem(s)')).toBe(1);
    expect(problemCount(list, 'the list is refused whole: 12000 problem(s)')).toBe(12000);
    expect(problemCount(list, '')).toBe(1);
  });
});
