import { describeVectorIndexContract } from '../../contract/vector-index.contract';

describeVectorIndexContract('Node');
