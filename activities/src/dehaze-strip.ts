/** Artifact kind of the hazy | dehazed | clear strip (one PNG, three equal panels) a `dehaze` step stores for the run page. */
export const DEHAZE_STRIP_KIND = 'dehaze-strip';
