-- Team store, first schema. One row per claimed task is the lock: PRIMARY KEY (account, task_id).

CREATE TABLE members (
    member      text PRIMARY KEY,              -- linguist id, e.g. reachstudio-anna@laptop-3
    display_name text NOT NULL DEFAULT '',
    role        text NOT NULL DEFAULT 'linguist' CHECK (role IN ('linguist', 'reviewer', 'supervisor')),
    languages   text[] NOT NULL DEFAULT '{}',  -- skills for assignment
    services    int[] NOT NULL DEFAULT '{}',   -- ServiceFeature values
    last_seen   timestamptz NOT NULL DEFAULT now()
);

-- The queue as the supervisor's single poller last saw it (desktops read this instead of polling Kaltura).
CREATE TABLE queue (
    account     text NOT NULL,
    task_id     bigint NOT NULL,
    partner_id  bigint NOT NULL DEFAULT 0,
    feature     int,
    language    text NOT NULL DEFAULT '',
    status      int NOT NULL,
    expected_finish timestamptz,
    task        jsonb NOT NULL,                -- domain Task without its access key
    seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account, task_id)
);

CREATE TABLE poll_runs (
    account     text PRIMARY KEY,
    polled_at   timestamptz NOT NULL,
    ok          boolean NOT NULL,
    message     text NOT NULL DEFAULT ''
);

CREATE TABLE claims (
    account     text NOT NULL,
    task_id     bigint NOT NULL,
    holder      text NOT NULL,
    state       text NOT NULL CHECK (state IN ('claiming', 'working', 'review', 'returned', 'approved', 'delivered')),
    external_task_id text NOT NULL DEFAULT '',
    partner_id  bigint NOT NULL DEFAULT 0,
    feature     int,
    label       text NOT NULL DEFAULT '',
    expected_finish timestamptz,
    reviewer    text,
    since       timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account, task_id)
);

CREATE TABLE assignments (
    account     text NOT NULL,
    task_id     bigint NOT NULL,
    assignee    text,                          -- a member, or NULL when assigned by skill
    language    text,                          -- skill: the task language
    feature     int,                           -- skill: the service
    assigned_by text NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account, task_id)
);

-- Review required per customer (partner_id) or per service (feature); NULL matches any.
CREATE TABLE review_rules (
    id          serial PRIMARY KEY,
    partner_id  bigint,
    feature     int,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE review_comments (
    id          bigserial PRIMARY KEY,
    account     text NOT NULL,
    task_id     bigint NOT NULL,
    round       int NOT NULL,
    cue_index   int,
    text        text NOT NULL,
    author      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);

-- Every step, who and when: claimed, released, taken_over, assigned, submitted, returned, approved, delivered, ...
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    account     text NOT NULL,
    task_id     bigint NOT NULL,
    kind        text NOT NULL,
    actor       text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_by_task ON events (account, task_id, id);

-- Drafts journaled from every desktop: the holder's last snapshot plus the ops after it.
CREATE TABLE drafts (
    draft_key   text PRIMARY KEY,              -- store.drafts.draft_key(account, task_id)
    kind        text NOT NULL DEFAULT '',
    label       text NOT NULL DEFAULT '',
    snapshot    jsonb,
    rev         bigint NOT NULL DEFAULT 0,     -- +1 per write; a writer names the rev it built on
    author      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE draft_ops (
    seq         bigserial PRIMARY KEY,
    draft_key   text NOT NULL,
    op          jsonb NOT NULL,
    author      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX draft_ops_by_key ON draft_ops (draft_key, seq);

-- Writes that lost a conflict (a stale base, or a writer who no longer holds the task): kept, shown, never lost.
CREATE TABLE draft_conflicts (
    id          bigserial PRIMARY KEY,
    draft_key   text NOT NULL,
    author      text NOT NULL,
    kind        text NOT NULL,                 -- 'snapshot' | 'op'
    payload     jsonb NOT NULL,
    reason      text NOT NULL,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    resolved    boolean NOT NULL DEFAULT false
);

CREATE TABLE failures (
    id          bigserial PRIMARY KEY,
    account     text NOT NULL,
    task_id     bigint,
    reason      text NOT NULL,                 -- a short code: CLAIM_LOST, POLL_FAILED, DELIVERY_ERROR, ...
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
