import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { AdminStats } from "../core/views"
import { activeUsers } from "./activity.repo"

type Db = Kysely<Database>

/** How far the case's verdicts can be trusted: steps left «спорно», and model quotes code could not find. */
const trustOf = (
  rows: ReadonlyArray<{
    rubric_version: string | null
    covered: ReadonlyArray<string>
    disputed: ReadonlyArray<string>
    quotes_proposed: number
    quotes_unverified: number
  }>,
) => {
  // Only attempts reviewed with sampling (a rubric version) had steps that could be disputed.
  const sampled = rows.filter((r) => r.rubric_version !== null)
  return {
    reviewed: sampled.length,
    disputedSteps: sampled.reduce((sum, r) => sum + r.disputed.length, 0),
    quotesProposed: rows.reduce((sum, r) => sum + r.quotes_proposed, 0),
    quotesUnverified: rows.reduce((sum, r) => sum + r.quotes_unverified, 0),
  }
}

/** Everything /stats shows, in one pass of small aggregate queries. */
export const loadAdminStats = async (db: Db, timeZone: string): Promise<AdminStats> => {
  const [roles, active7, active30, attempts, started, scoreRows, ratings, comments, ai] = await Promise.all([
    db
      .selectFrom("authorized_users")
      .select(["role", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("role")
      .execute(),
    activeUsers(db, 7, timeZone),
    activeUsers(db, 30, timeZone),
    db
      .selectFrom("case_attempts")
      .select(["case_id", "outcome", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy(["case_id", "outcome"])
      .orderBy("case_id")
      .execute(),
    db
      .selectFrom("case_stats")
      .select(["case_id", (eb) => eb.fn.sum<number>("cnt").as("n")])
      .where("stat", "=", "started")
      .groupBy("case_id")
      .execute(),
    db
      .selectFrom("case_attempts")
      .select([
        "case_id",
        "score",
        "covered",
        "rubric_version",
        "disputed",
        "quotes_proposed",
        "quotes_unverified",
      ])
      .execute(),
    db
      .selectFrom("bot_ratings")
      .select([
        "question",
        (eb) => eb.fn.countAll<number>().as("n"),
        (eb) => eb.fn.avg<number>("rating").as("avg"),
      ])
      .groupBy("question")
      .execute(),
    db
      .selectFrom("rating_comments as c")
      .leftJoin("authorized_users as u", "u.user_id", "c.user_id")
      .select(["c.user_id", "c.comment", "c.created_at", "u.first_name", "u.username"])
      .orderBy("c.created_at", "desc")
      .limit(5)
      .execute(),
    db
      .selectFrom("ai_calls")
      .select([
        "provider",
        (eb) => eb.fn.countAll<number>().as("calls"),
        sql<number>`count(*) filter (where outcome <> 'ok')`.as("errors"),
        (eb) => eb.fn.sum<number>("input_tokens").as("input"),
        (eb) => eb.fn.sum<number>("output_tokens").as("output"),
      ])
      .groupBy("provider")
      .execute(),
  ])
  const byCase = new Map<string, typeof scoreRows>()
  for (const r of scoreRows) byCase.set(r.case_id, [...(byCase.get(r.case_id) ?? []), r])
  return {
    roles: roles.map((r) => ({ role: r.role, users: Number(r.n) })),
    active7,
    active30,
    attempts: attempts.map((r) => ({ caseId: r.case_id, outcome: r.outcome, count: Number(r.n) })),
    started: started.map((r) => ({ caseId: r.case_id, count: Number(r.n) })),
    scores: [...byCase].map(([caseId, list]) => ({
      caseId,
      avgScore: list.reduce((sum, r) => sum + r.score, 0) / list.length,
      covered: list.map((r) => r.covered),
      trust: trustOf(list),
    })),
    ratings: ratings.map((r) => ({ question: r.question, answers: Number(r.n), avg: Number(r.avg) })),
    comments: comments.map((c) => ({
      userId: c.user_id,
      name: c.first_name,
      username: c.username,
      comment: c.comment,
      at: c.created_at.getTime(),
    })),
    ai: ai.map((r) => ({
      provider: r.provider,
      calls: Number(r.calls),
      errors: Number(r.errors),
      inputTokens: Number(r.input ?? 0),
      outputTokens: Number(r.output ?? 0),
    })),
  }
}
