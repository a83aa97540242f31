import { createMemoryClient } from '../../../src/sdk/index';
import { describeClientContract } from '../../contract/client.contract';
import { describeEncryptionContract } from '../../contract/encryption.contract';
import { describeTabsContract } from '../../contract/tabs.contract';
import { describeDataContract } from '../../contract/data.contract';
import { describeSessionsContract } from '../../contract/sessions.contract';
import { describeEpisodesContract } from '../../contract/episodes.contract';
import { describeProfileContract } from '../../contract/profile.contract';
import { describeFactsContract } from '../../contract/facts.contract';
import { describeAssistantContract } from '../../contract/assistant.contract';
import { describeEmbedderSwitchContract } from '../../contract/embedder-switch.contract';
import { describeMaintenanceContract } from '../../contract/maintenance.contract';
import { describePrivacyContract } from '../../contract/privacy.contract';
import { describeSafeguardsContract } from '../../contract/safeguards.contract';

describeClientContract('in-process (Node, fake-indexeddb)', 'in-process', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeEncryptionContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeTabsContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeDataContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeSessionsContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeEpisodesContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeProfileContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeFactsContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeAssistantContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeEmbedderSwitchContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeMaintenanceContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describePrivacyContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);

describeSafeguardsContract('in-process (Node, fake-indexeddb)', (options) =>
  createMemoryClient({ ...options, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS! }),
);
