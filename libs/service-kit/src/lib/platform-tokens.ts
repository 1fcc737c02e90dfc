/** Injection tokens of the PlatformModule. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');
