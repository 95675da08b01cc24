/** Public API of the 1T-TaS2 Star-of-David tight-binding model (arXiv 2103.06553 checks). Pure TypeScript. */
export { runTightBinding, validateTbParams, NARROW_BAND } from './analysis';
export type { TightBindingOptions, TightBindingResult, Check, Series } from './analysis';
export { TB_PARAMS, DEFAULT_TB } from './params';
export type { TbParamName } from './params';
export { STACKINGS } from './sod';
export type { Stacking } from './sod';
