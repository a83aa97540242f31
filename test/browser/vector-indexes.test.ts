import { describeVectorIndexContract } from '../contract/vector-index.contract';

describeVectorIndexContract('Chromium');
