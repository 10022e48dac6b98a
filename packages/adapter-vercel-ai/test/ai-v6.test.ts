import { describeAgentSuite } from './support/agent-suite.js';
import { ai6Sdk } from './support/sdk-under-test.js';

describeAgentSuite(ai6Sdk);
