// Constants of the GGUF format (ggml/docs/gguf.md and ggml.h's `enum ggml_type`).

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** llama.cpp's GGML_MAX_DIMS. */
export const GGUF_MAX_DIMS = 4;
/** llama.cpp's GGML_MAX_NAME (names must be shorter, NUL included). */
export const GGUF_MAX_NAME = 64;

/** Metadata value types and the least bytes one value of the type takes (v2+ layout). */
export const GGUF_VALUE_TYPES: ReadonlyMap<number, { name: string; size: number }> = new Map([
  [0, { name: 'uint8', size: 1 }],
  [1, { name: 'int8', size: 1 }],
  [2, { name: 'uint16', size: 2 }],
  [3, { name: 'int16', size: 2 }],
  [4, { name: 'uint32', size: 4 }],
  [5, { name: 'int32', size: 4 }],
  [6, { name: 'float32', size: 4 }],
  [7, { name: 'bool', size: 1 }],
  [8, { name: 'string', size: 8 }],
  [9, { name: 'array', size: 12 }],
  [10, { name: 'uint64', size: 8 }],
  [11, { name: 'int64', size: 8 }],
  [12, { name: 'float64', size: 8 }],
]);
export const T_UINT32 = 4;
export const T_BOOL = 7;
export const T_STRING = 8;
export const T_ARRAY = 9;

/**
 * ggml tensor types: [name, elements per block, bytes per block]. Block sizes are those of ggml's
 * type_traits; `null` bytes means the type is known but its size is not checked here.
 * Ids 4, 5 (Q4_2/Q4_3) and 31–33, 36–38 (repacked layouts) were removed from GGUF files.
 */
export const GGML_TYPES: ReadonlyMap<number, readonly [string, number, number | null]> = new Map([
  [0, ['F32', 1, 4]],
  [1, ['F16', 1, 2]],
  [2, ['Q4_0', 32, 18]],
  [3, ['Q4_1', 32, 20]],
  [6, ['Q5_0', 32, 22]],
  [7, ['Q5_1', 32, 24]],
  [8, ['Q8_0', 32, 34]],
  [9, ['Q8_1', 32, 36]],
  [10, ['Q2_K', 256, 84]],
  [11, ['Q3_K', 256, 110]],
  [12, ['Q4_K', 256, 144]],
  [13, ['Q5_K', 256, 176]],
  [14, ['Q6_K', 256, 210]],
  [15, ['Q8_K', 256, 292]],
  [16, ['IQ2_XXS', 256, 66]],
  [17, ['IQ2_XS', 256, 74]],
  [18, ['IQ3_XXS', 256, 98]],
  [19, ['IQ1_S', 256, 50]],
  [20, ['IQ4_NL', 32, 18]],
  [21, ['IQ3_S', 256, 110]],
  [22, ['IQ2_S', 256, 82]],
  [23, ['IQ4_XS', 256, 136]],
  [24, ['I8', 1, 1]],
  [25, ['I16', 1, 2]],
  [26, ['I32', 1, 4]],
  [27, ['I64', 1, 8]],
  [28, ['F64', 1, 8]],
  [29, ['IQ1_M', 256, 56]],
  [30, ['BF16', 1, 2]],
  [34, ['TQ1_0', 256, 54]],
  [35, ['TQ2_0', 256, 66]],
  [39, ['MXFP4', 32, 17]],
  // Newer than the sizes verified here: known ids, sizes not checked.
  [40, ['NVFP4', 1, null]],
  [41, ['Q1_0', 1, null]],
]);
