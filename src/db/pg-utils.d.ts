/** The part of pg's own (untyped) utilities the inliner uses: its parameter conversion (and quoting, which the tests compare with). */
declare module 'pg/lib/utils.js' {
  const utils: {
    prepareValue(value: unknown): string | Buffer | null;
    escapeLiteral(text: string): string;
  };
  export default utils;
}
