/** Nest injection token of the SimulatorSettings value. */
export const SIM_SETTINGS = Symbol('SIM_SETTINGS');
