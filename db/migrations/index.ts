import type { Migration } from "kysely/migration"
import * as foundation from "./0001_foundation"
import * as attempts from "./0002_attempts"
import * as aiUsage from "./0003_ai_usage"
import * as jobs from "./0004_jobs"
import * as broadcasts from "./0005_broadcasts"
import * as broadcastSafety from "./0006_broadcast_safety"
import * as storeInboxRow from "./0007_store_inbox_row"
import * as backgroundWork from "./0008_background_work"
import * as userLimits from "./0009_user_limits"
import * as privacy from "./0010_privacy"
import * as verdicts from "./0011_verdicts"
import * as history from "./0012_history"
import * as storeInboxRows from "./0013_store_inbox_rows"
import * as setBasedBatches from "./0014_set_based_batches"
import * as keptPlans from "./0015_kept_plans"
import * as lookupPlans from "./0016_lookup_plans"
import * as reducedAtReceipt from "./0017_reduced_at_receipt"
import * as storeOnce from "./0018_store_once"
import * as workAtReceipt from "./0019_work_at_receipt"
import * as answersInPlace from "./0020_answers_in_place"

/** In-code list (no directory scanning): works the same from source, tests and a compiled binary. */
export const migrations: Record<string, Migration> = {
  "0001_foundation": foundation,
  "0002_attempts": attempts,
  "0003_ai_usage": aiUsage,
  "0004_jobs": jobs,
  "0005_broadcasts": broadcasts,
  "0006_broadcast_safety": broadcastSafety,
  "0007_store_inbox_row": storeInboxRow,
  "0008_background_work": backgroundWork,
  "0009_user_limits": userLimits,
  "0010_privacy": privacy,
  "0011_verdicts": verdicts,
  "0012_history": history,
  "0013_store_inbox_rows": storeInboxRows,
  "0014_set_based_batches": setBasedBatches,
  "0015_kept_plans": keptPlans,
  "0016_lookup_plans": lookupPlans,
  "0017_reduced_at_receipt": reducedAtReceipt,
  "0018_store_once": storeOnce,
  "0019_work_at_receipt": workAtReceipt,
  "0020_answers_in_place": answersInPlace,
}
