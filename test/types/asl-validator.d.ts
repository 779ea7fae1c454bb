declare module 'asl-validator' {
  const validate: (
    definition: unknown,
    options?: Record<string, boolean>,
  ) => { isValid: boolean; errorsText(separator?: string): string };
  export default validate;
}
