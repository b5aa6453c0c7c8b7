/** The SDK's version, printed in every error message so bug reports say which release failed. */
export const version = '0.1.0'
