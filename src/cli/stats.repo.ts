import { sql } from "kysely"

/** What `bun run stats` reads, one aggregate query per figure it prints (cli/stats.ts prints them). */
export const statsQueries = {
  usersByRole: sql`select role, count(*) as n from authorized_users group by role order by role`,
  activeUsers: sql`select count(*) filter (where last_seen_at > now() - interval '7 days') as week,
      count(*) filter (where last_seen_at > now() - interval '30 days') as month from authorized_users`,
  attemptsByOutcome: sql`select case_id, outcome, count(*) as n, avg(score) as score from case_attempts
      group by case_id, outcome order by case_id, outcome`,
  casesStartedCompleted: sql`select case_id, sum(cnt) filter (where stat = 'started') as started,
      sum(cnt) filter (where stat = 'completed') as completed from case_stats group by case_id order by case_id`,
  learnersDone: sql`select (select count(distinct user_id) from case_stats where stat = 'completed' and cnt > 0) as done,
      (select count(distinct user_id) from case_stats where stat = 'started' and cnt > 0) as started`,
  ratingsByQuestion: sql`select question, avg(rating) as avg, count(*) as n from bot_ratings group by question order by question`,
  commentsAndInvites: sql`select (select count(*) from rating_comments) as comments, (select count(*) from rating_invites) as invites`,
  aiByProvider: sql`select provider, count(*) as n, count(*) filter (where outcome <> 'ok') as errors,
      sum(input_tokens) as input, sum(output_tokens) as output, avg(latency_ms) as latency
      from ai_calls group by provider order by provider`,
  inboxState: sql`select count(*) filter (where processed_at is null) as pending,
      count(*) filter (where processed_at is null and attempts > 0) as retrying,
      count(*) filter (where processed_at is not null and last_error is not null) as failed,
      extract(epoch from now() - min(received_at) filter (where processed_at is null)) as oldest
      from update_inbox`,
}
