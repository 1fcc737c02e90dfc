import { createKsefXmlValidator, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';

/** Injection token of the compiled official schemas (one per process). */
export const XML_VALIDATOR = Symbol('XML_VALIDATOR');

export const xmlValidatorProvider = {
  provide: XML_VALIDATOR,
  useFactory: (): Promise<KsefXmlValidator> => createKsefXmlValidator(),
};
