/* Bundled library in the middle: needs libcwb, which it finds only through
   the extension's RPATH (or its own $ORIGIN RPATH, in the other layout). */
int cwb_value(void);

int cwa_value(void) { return cwb_value() + OFFSET; }
