import { describeAgentSuite } from './support/agent-suite.js';
import { ai7Sdk } from './support/sdk-under-test.js';

describeAgentSuite(ai7Sdk);
