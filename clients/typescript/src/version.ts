/** The SDK version, kept equal to package.json and clients/VERSION (a test checks both). */
export const VERSION = '0.1.0';
