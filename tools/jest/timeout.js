// testTimeout is a global jest option (ignored per project), so the tier's timeout is set here.
jest.setTimeout(process.env.TEST_TIER === 'unit' || !process.env.TEST_TIER ? 10_000 : 120_000);
