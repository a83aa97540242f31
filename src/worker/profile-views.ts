/**
 * The open profile's conversations, episodes and structured profile: the views a first
 * `memories.search` or `memories.add` does not use. The engine loads this module (with the three
 * services and their repositories) on the first call that needs one of them, through
 * `lazyProfileViews` (lazy-paths.ts), and makes them once per open profile.
 */
import type { Clock } from '../core/ports';
import type { MemoryService } from '../core/semantic/memory-service';
import { Conversations, type Redactor } from '../core/working/conversations';
import { Episodes } from '../core/episodes/episodes';
import { ProfileService } from '../core/profile/profile-service';
import type { RecordCodec } from '../storage/codec';
import type { MnemeDatabase } from '../storage/db';
import type { TabCoordinator } from '../storage/tabs';
import { createConversationRepository } from '../storage/conversation-repository';
import { createEpisodeRepository } from '../storage/episode-repository';
import { createProfileRepository } from '../storage/profile-repository';
import { lockedConversationWrites, lockedEpisodeWrites, lockedProfileWrites } from './locked-stores';

export interface ProfileViews {
  conversations: Conversations;
  episodes: Episodes;
  profile: ProfileService;
}

export interface ProfileViewsDeps {
  db: MnemeDatabase;
  /** The open profile's codec (sealed rows under its data key when it is encrypted). */
  codec: RecordCodec;
  /** The profile's write lock (every write waits for it). */
  writes: TabCoordinator;
  memory: MemoryService;
  clock: Clock;
  /** The privacy rules: what must not be remembered (profile) and what is masked (conversations). */
  privacy: { blockedBy: (text: string) => string | undefined; redact: Redactor };
}

export function createProfileViews({ db, codec, writes, memory, clock, privacy }: ProfileViewsDeps): ProfileViews {
  return {
    profile: new ProfileService(lockedProfileWrites(createProfileRepository(db, codec), writes), clock, privacy.blockedBy),
    conversations: new Conversations(
      lockedConversationWrites(createConversationRepository(db, codec), writes),
      clock,
      privacy.redact,
    ),
    episodes: new Episodes(lockedEpisodeWrites(createEpisodeRepository(db, codec), writes), memory, clock),
  };
}
