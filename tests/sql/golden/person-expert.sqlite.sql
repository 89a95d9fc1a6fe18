WITH event_types AS MATERIALIZED (
  SELECT
    'loan_opened' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'instalment_paid_on_time' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'instalment_paid_late' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'loan_default' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    TRUE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'loan_closed' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'utility_bill_paid_on_time' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'utility_bill_overdue' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'phone_bill_paid_on_time' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'phone_bill_overdue' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rent_paid_on_time' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    TRUE AS t0,
    TRUE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rent_overdue' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    TRUE AS t1,
    TRUE AS t2,
    FALSE AS t3,
    TRUE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rental_returned_ok' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    TRUE AS t6,
    TRUE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rental_returned_late' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    TRUE AS t5,
    FALSE AS t6,
    TRUE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rental_returned_damaged' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    TRUE AS t5,
    FALSE AS t6,
    TRUE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rental_parked_outside_zone' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    TRUE AS t5,
    FALSE AS t6,
    TRUE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'rental_deposit_forfeited' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    TRUE AS t5,
    FALSE AS t6,
    TRUE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'purchase' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    TRUE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'refund' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'fraudulent_chargeback' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    TRUE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'court_judgment_entered' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'court_judgment_fulfilled' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'court_judgment_unfulfilled' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    TRUE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'bankruptcy' AS type_key,
    CAST(3652 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    TRUE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'identity_verified' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    TRUE AS t12
  UNION ALL
  SELECT
    'address_verified' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    TRUE AS t12
  UNION ALL
  SELECT
    'education_verified' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    TRUE AS t12
  UNION ALL
  SELECT
    'employment_verified' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    TRUE AS t12
  UNION ALL
  SELECT
    'income_verified' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    TRUE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'assets_verified' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    TRUE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'vouch_given' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'vouch_accepted' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'vouch_revoked' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'tax_filed_on_time' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'tax_filed_overdue' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'licence_valid' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'licence_revoked' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'supplier_invoice_paid_on_time' AS type_key,
    CAST(NULL AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'supplier_invoice_paid_late' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
  UNION ALL
  SELECT
    'regulatory_penalty' AS type_key,
    CAST(2557 AS INTEGER) AS retention_days,
    FALSE AS t0,
    FALSE AS t1,
    FALSE AS t2,
    FALSE AS t3,
    FALSE AS t4,
    FALSE AS t5,
    FALSE AS t6,
    FALSE AS t7,
    FALSE AS t8,
    FALSE AS t9,
    FALSE AS t10,
    FALSE AS t11,
    FALSE AS t12
), ev AS MATERIALIZED (
  SELECT
    *
  FROM (
    SELECT
      entity_id,
      adverse,
      amount,
      days_late,
      purchase_category,
      rental_asset,
      CAST((JULIANDAY(DATE('2026-01-01 00:00:00')) - JULIANDAY(DATE(occurred_at))) AS INTEGER) AS age_days,
      retention_days,
      t0,
      t1,
      t2,
      t3,
      t4,
      t5,
      t6,
      t7,
      t8,
      t9,
      t10,
      t11,
      t12
    FROM effective_events
    LEFT JOIN event_types
      ON type_key = type
    WHERE
      entity_id IN (
        SELECT
          entity_id
        FROM entities
        WHERE
          kind IN ('person')
      )
      AND occurred_at <= '2026-01-01 00:00:00'
  ) AS e
  WHERE
    NOT (
      adverse
    ) OR age_days <= retention_days
), agg AS MATERIALIZED (
  SELECT
    entity_id,
    COUNT(*) AS n_events,
    MAX(age_days) AS history_days,
    SUM(
      CASE
        WHEN t0 AND age_days < 730
        THEN POWER(CAST(0.5 AS REAL), CAST(age_days AS REAL) / 365)
        ELSE 0
      END
    ) AS f0_num,
    SUM(
      CASE
        WHEN t1 AND age_days < 730
        THEN POWER(CAST(0.5 AS REAL), CAST(age_days AS REAL) / 365)
        ELSE 0
      END
    ) AS f0_den,
    COUNT(CASE WHEN t2 AND age_days < 365 THEN 1 END) AS f1,
    COUNT(CASE WHEN t3 THEN 1 END) AS f2,
    MAX(CASE WHEN t4 THEN age_days END) AS f3,
    COUNT(CASE WHEN t5 AND age_days < 730 THEN 1 END) AS f4,
    COUNT(CASE WHEN t6 AND age_days < 730 THEN 1 END) AS f5_num,
    COUNT(CASE WHEN t7 AND age_days < 730 THEN 1 END) AS f5_den,
    COUNT(CASE WHEN t8 AND age_days < 730 THEN 1 END) AS f6,
    SUM(CASE WHEN t9 AND age_days < 400 THEN amount * 1 END) AS f7,
    SUM(CASE WHEN t10 AND age_days < 730 THEN amount * 1 END) AS f8,
    SUM(CASE WHEN t11 AND age_days < 365 THEN amount * 1 END) AS f9,
    COUNT(CASE WHEN t12 THEN 1 END) AS f10,
    MIN(CASE WHEN t12 THEN age_days END) AS f11
  FROM ev
  GROUP BY
    entity_id
), vside AS MATERIALIZED (
  SELECT
    entity_id,
    counterparty_id,
    MAX(CASE WHEN type = 'vouch_given' THEN occurred_at END) AS given_at,
    MAX(CASE WHEN type = 'vouch_accepted' THEN occurred_at END) AS accepted_at,
    MAX(CASE WHEN type = 'vouch_revoked' THEN occurred_at END) AS revoked_at
  FROM effective_events
  WHERE
    type IN ('vouch_given', 'vouch_accepted', 'vouch_revoked')
    AND NOT counterparty_id IS NULL
    AND occurred_at <= '2026-01-01 00:00:00'
  GROUP BY
    entity_id,
    counterparty_id
), vouch AS MATERIALIZED (
  SELECT
    g.entity_id AS voucher,
    g.counterparty_id AS vouchee,
    CASE WHEN g.given_at > a.accepted_at THEN g.given_at ELSE a.accepted_at END AS since
  FROM vside AS g
  JOIN vside AS a
    ON a.entity_id = g.counterparty_id AND a.counterparty_id = g.entity_id
  WHERE
    (
      NOT g.given_at IS NULL
      AND (
        g.revoked_at IS NULL OR g.revoked_at < g.given_at
      )
    )
    AND (
      NOT a.accepted_at IS NULL
      AND (
        a.revoked_at IS NULL OR a.revoked_at < a.accepted_at
      )
    )
    AND g.entity_id <> g.counterparty_id
), vlink AS MATERIALIZED (
  SELECT
    voucher AS entity_id,
    vouchee AS other,
    'voucher' AS role,
    since,
    CAST((JULIANDAY(DATE('2026-01-01 00:00:00')) - JULIANDAY(DATE(since))) AS INTEGER) AS age_days
  FROM vouch
  UNION ALL
  SELECT
    vouchee AS entity_id,
    voucher AS other,
    'vouchee' AS role,
    since,
    CAST((JULIANDAY(DATE('2026-01-01 00:00:00')) - JULIANDAY(DATE(since))) AS INTEGER) AS age_days
  FROM vouch
), vev AS MATERIALIZED (
  SELECT
    *
  FROM (
    SELECT
      l.entity_id,
      x.type,
      x.category,
      x.dimension,
      x.adverse,
      x.amount,
      x.days_late,
      x.purchase_category,
      x.rental_asset,
      CAST((JULIANDAY(DATE('2026-01-01 00:00:00')) - JULIANDAY(DATE(x.occurred_at))) AS INTEGER) AS age_days
    FROM vlink AS l
    JOIN effective_events AS x
      ON x.entity_id = l.other
      AND x.adverse
      AND x.occurred_at >= l.since
      AND x.occurred_at <= '2026-01-01 00:00:00'
    WHERE
      l.role = 'voucher'
  ) AS e
  WHERE
    NOT (
      adverse
    )
    OR age_days <= CASE
      WHEN type IN (
        'court_judgment_entered',
        'court_judgment_unfulfilled',
        'fraudulent_chargeback',
        'instalment_paid_late',
        'licence_revoked',
        'loan_default',
        'phone_bill_overdue',
        'regulatory_penalty',
        'rent_overdue',
        'rental_deposit_forfeited',
        'rental_parked_outside_zone',
        'rental_returned_damaged',
        'rental_returned_late',
        'supplier_invoice_paid_late',
        'tax_filed_overdue',
        'utility_bill_overdue'
      )
      THEN 2557
      WHEN type IN ('bankruptcy')
      THEN 3652
    END
), vagg AS MATERIALIZED (
  SELECT
    c.entity_id,
    c.n_vouched,
    c.f12,
    d.f13
  FROM (
    SELECT
      entity_id,
      SUM(CASE WHEN role = 'voucher' THEN 1 ELSE 0 END) AS n_vouched,
      SUM(CASE WHEN TRUE AND age_days < 730 THEN 1 ELSE 0 END) AS f12
    FROM vlink
    GROUP BY
      entity_id
  ) AS c
  LEFT JOIN (
    SELECT
      entity_id,
      SUM(CASE WHEN (
        adverse AND TRUE
      ) AND age_days < 730 THEN 1 ELSE 0 END) AS f13
    FROM vev
    GROUP BY
      entity_id
  ) AS d
    ON c.entity_id = d.entity_id
), feat AS MATERIALIZED (
  SELECT
    n.entity_id AS entity_id,
    n.kind AS kind,
    COALESCE(a.n_events, 0) AS n_events,
    a.history_days AS history_days,
    CASE WHEN a.f0_den > 0 THEN CAST(a.f0_num AS REAL) / CAST(a.f0_den AS REAL) END AS f0,
    COALESCE(CAST(a.f1 AS REAL), 0) AS f1,
    COALESCE(CAST(a.f2 AS REAL), 0) AS f2,
    CAST(a.f3 AS REAL) AS f3,
    COALESCE(CAST(a.f4 AS REAL), 0) AS f4,
    CASE WHEN a.f5_den > 0 THEN CAST(a.f5_num AS REAL) / CAST(a.f5_den AS REAL) END AS f5,
    COALESCE(CAST(a.f6 AS REAL), 0) AS f6,
    CAST(a.f7 AS REAL) AS f7,
    CAST(a.f8 AS REAL) AS f8,
    CAST(a.f9 AS REAL) AS f9,
    COALESCE(CAST(a.f10 AS REAL), 0) AS f10,
    CAST(a.f11 AS REAL) AS f11,
    COALESCE(CAST(v.f12 AS REAL), 0) AS f12,
    CASE WHEN COALESCE(v.n_vouched, 0) > 0 THEN COALESCE(CAST(v.f13 AS REAL), 0) END AS f13
  FROM (
    SELECT
      entity_id,
      MAX(kind) AS kind
    FROM entities
    GROUP BY
      entity_id
  ) AS n
  LEFT JOIN agg AS a
    ON n.entity_id = a.entity_id
  LEFT JOIN vagg AS v
    ON n.entity_id = v.entity_id
  WHERE
    n.kind IN ('person')
), pts AS MATERIALIZED (
  SELECT
    *,
    CASE
      WHEN f0 IS NULL
      THEN 30
      ELSE CASE
        WHEN f0 < CAST(0.9 AS REAL)
        THEN CASE WHEN f0 < CAST(0.8 AS REAL) THEN 0 ELSE 30 END
        ELSE CASE WHEN f0 < CAST(0.97 AS REAL) THEN 60 ELSE 90 END
      END
    END AS p0,
    CASE
      WHEN f1 IS NULL
      THEN 0
      ELSE CASE
        WHEN f1 < 3
        THEN CASE WHEN f1 < 1 THEN 70 ELSE 40 END
        ELSE CASE WHEN f1 < 6 THEN 15 ELSE 0 END
      END
    END AS p1,
    CASE
      WHEN f2 IS NULL
      THEN 0
      ELSE CASE WHEN f2 < 1 THEN 90 ELSE CASE WHEN f2 < 2 THEN 20 ELSE 0 END END
    END AS p2,
    CASE
      WHEN f3 IS NULL
      THEN 0
      ELSE CASE WHEN f3 < 180 THEN 0 ELSE CASE WHEN f3 < 730 THEN 20 ELSE 40 END END
    END AS p3,
    CASE
      WHEN f4 IS NULL
      THEN 0
      ELSE CASE
        WHEN f4 < 3
        THEN CASE WHEN f4 < 1 THEN 50 ELSE 30 END
        ELSE CASE WHEN f4 < 6 THEN 10 ELSE 0 END
      END
    END AS p4,
    CASE
      WHEN f5 IS NULL
      THEN 20
      ELSE CASE
        WHEN f5 < CAST(0.8 AS REAL)
        THEN 0
        ELSE CASE WHEN f5 < CAST(0.95 AS REAL) THEN 20 ELSE 40 END
      END
    END AS p5,
    CASE
      WHEN f6 IS NULL
      THEN 0
      ELSE CASE WHEN f6 < 1 THEN 40 ELSE CASE WHEN f6 < 2 THEN 10 ELSE 0 END END
    END AS p6,
    CASE
      WHEN f7 IS NULL
      THEN 0
      ELSE CASE
        WHEN f7 < 30000
        THEN CASE WHEN f7 < 15000 THEN 10 ELSE 30 END
        ELSE CASE WHEN f7 < 60000 THEN 50 ELSE 70 END
      END
    END AS p7,
    CASE
      WHEN f8 IS NULL
      THEN 0
      ELSE CASE WHEN f8 < 10000 THEN 10 ELSE CASE WHEN f8 < 100000 THEN 25 ELSE 40 END END
    END AS p8,
    CASE
      WHEN f9 IS NULL
      THEN 0
      ELSE CASE WHEN f9 < 500 THEN 5 ELSE CASE WHEN f9 < 5000 THEN 15 ELSE 25 END END
    END AS p9,
    CASE
      WHEN f10 IS NULL
      THEN 0
      ELSE CASE
        WHEN f10 < 2
        THEN CASE WHEN f10 < 1 THEN 0 ELSE 15 END
        ELSE CASE WHEN f10 < 4 THEN 30 ELSE 45 END
      END
    END AS p10,
    CASE
      WHEN f11 IS NULL
      THEN 0
      ELSE CASE WHEN f11 < 365 THEN 25 ELSE CASE WHEN f11 < 1095 THEN 15 ELSE 5 END END
    END AS p11,
    CASE
      WHEN f12 IS NULL
      THEN 0
      ELSE CASE WHEN f12 < 1 THEN 0 ELSE CASE WHEN f12 < 3 THEN 15 ELSE 25 END END
    END AS p12,
    CASE
      WHEN f13 IS NULL
      THEN 20
      ELSE CASE WHEN f13 < 1 THEN 20 ELSE CASE WHEN f13 < 3 THEN 8 ELSE 0 END END
    END AS p13
  FROM feat
), lost AS MATERIALIZED (
  SELECT
    *,
    p0 + p1 + p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9 + p10 + p11 + p12 + p13 AS total_points,
    CAST(p0 + p1 + p2 + p3 AS REAL) AS points_credit_history,
    CAST(p4 + p5 + p6 AS REAL) AS points_behaviour,
    CAST(p7 + p8 + p9 AS REAL) AS points_capacity,
    CAST(p10 + p11 AS REAL) AS points_identity,
    CAST(p12 + p13 AS REAL) AS points_connections,
    90 - p0 AS l0,
    70 - p1 AS l1,
    90 - p2 AS l2,
    40 - p3 AS l3,
    50 - p4 AS l4,
    40 - p5 AS l5,
    40 - p6 AS l6,
    70 - p7 AS l7,
    40 - p8 AS l8,
    25 - p9 AS l9,
    45 - p10 AS l10,
    25 - p11 AS l11,
    25 - p12 AS l12,
    20 - p13 AS l13
  FROM pts
), ranked AS MATERIALIZED (
  SELECT
    *,
    CASE
      WHEN l0 > 0
      THEN CASE WHEN l1 > l0 THEN 1 ELSE 0 END + CASE WHEN l2 > l0 THEN 1 ELSE 0 END + CASE WHEN l3 > l0 THEN 1 ELSE 0 END + CASE WHEN l4 > l0 THEN 1 ELSE 0 END + CASE WHEN l5 > l0 THEN 1 ELSE 0 END + CASE WHEN l6 > l0 THEN 1 ELSE 0 END + CASE WHEN l7 > l0 THEN 1 ELSE 0 END + CASE WHEN l8 > l0 THEN 1 ELSE 0 END + CASE WHEN l9 > l0 THEN 1 ELSE 0 END + CASE WHEN l10 > l0 THEN 1 ELSE 0 END + CASE WHEN l11 > l0 THEN 1 ELSE 0 END + CASE WHEN l12 > l0 THEN 1 ELSE 0 END + CASE WHEN l13 > l0 THEN 1 ELSE 0 END
      ELSE 14
    END AS r0,
    CASE
      WHEN l1 > 0
      THEN CASE WHEN l0 >= l1 THEN 1 ELSE 0 END + CASE WHEN l2 > l1 THEN 1 ELSE 0 END + CASE WHEN l3 > l1 THEN 1 ELSE 0 END + CASE WHEN l4 > l1 THEN 1 ELSE 0 END + CASE WHEN l5 > l1 THEN 1 ELSE 0 END + CASE WHEN l6 > l1 THEN 1 ELSE 0 END + CASE WHEN l7 > l1 THEN 1 ELSE 0 END + CASE WHEN l8 > l1 THEN 1 ELSE 0 END + CASE WHEN l9 > l1 THEN 1 ELSE 0 END + CASE WHEN l10 > l1 THEN 1 ELSE 0 END + CASE WHEN l11 > l1 THEN 1 ELSE 0 END + CASE WHEN l12 > l1 THEN 1 ELSE 0 END + CASE WHEN l13 > l1 THEN 1 ELSE 0 END
      ELSE 14
    END AS r1,
    CASE
      WHEN l2 > 0
      THEN CASE WHEN l0 >= l2 THEN 1 ELSE 0 END + CASE WHEN l1 >= l2 THEN 1 ELSE 0 END + CASE WHEN l3 > l2 THEN 1 ELSE 0 END + CASE WHEN l4 > l2 THEN 1 ELSE 0 END + CASE WHEN l5 > l2 THEN 1 ELSE 0 END + CASE WHEN l6 > l2 THEN 1 ELSE 0 END + CASE WHEN l7 > l2 THEN 1 ELSE 0 END + CASE WHEN l8 > l2 THEN 1 ELSE 0 END + CASE WHEN l9 > l2 THEN 1 ELSE 0 END + CASE WHEN l10 > l2 THEN 1 ELSE 0 END + CASE WHEN l11 > l2 THEN 1 ELSE 0 END + CASE WHEN l12 > l2 THEN 1 ELSE 0 END + CASE WHEN l13 > l2 THEN 1 ELSE 0 END
      ELSE 14
    END AS r2,
    CASE
      WHEN l3 > 0
      THEN CASE WHEN l0 >= l3 THEN 1 ELSE 0 END + CASE WHEN l1 >= l3 THEN 1 ELSE 0 END + CASE WHEN l2 >= l3 THEN 1 ELSE 0 END + CASE WHEN l4 > l3 THEN 1 ELSE 0 END + CASE WHEN l5 > l3 THEN 1 ELSE 0 END + CASE WHEN l6 > l3 THEN 1 ELSE 0 END + CASE WHEN l7 > l3 THEN 1 ELSE 0 END + CASE WHEN l8 > l3 THEN 1 ELSE 0 END + CASE WHEN l9 > l3 THEN 1 ELSE 0 END + CASE WHEN l10 > l3 THEN 1 ELSE 0 END + CASE WHEN l11 > l3 THEN 1 ELSE 0 END + CASE WHEN l12 > l3 THEN 1 ELSE 0 END + CASE WHEN l13 > l3 THEN 1 ELSE 0 END
      ELSE 14
    END AS r3,
    CASE
      WHEN l4 > 0
      THEN CASE WHEN l0 >= l4 THEN 1 ELSE 0 END + CASE WHEN l1 >= l4 THEN 1 ELSE 0 END + CASE WHEN l2 >= l4 THEN 1 ELSE 0 END + CASE WHEN l3 >= l4 THEN 1 ELSE 0 END + CASE WHEN l5 > l4 THEN 1 ELSE 0 END + CASE WHEN l6 > l4 THEN 1 ELSE 0 END + CASE WHEN l7 > l4 THEN 1 ELSE 0 END + CASE WHEN l8 > l4 THEN 1 ELSE 0 END + CASE WHEN l9 > l4 THEN 1 ELSE 0 END + CASE WHEN l10 > l4 THEN 1 ELSE 0 END + CASE WHEN l11 > l4 THEN 1 ELSE 0 END + CASE WHEN l12 > l4 THEN 1 ELSE 0 END + CASE WHEN l13 > l4 THEN 1 ELSE 0 END
      ELSE 14
    END AS r4,
    CASE
      WHEN l5 > 0
      THEN CASE WHEN l0 >= l5 THEN 1 ELSE 0 END + CASE WHEN l1 >= l5 THEN 1 ELSE 0 END + CASE WHEN l2 >= l5 THEN 1 ELSE 0 END + CASE WHEN l3 >= l5 THEN 1 ELSE 0 END + CASE WHEN l4 >= l5 THEN 1 ELSE 0 END + CASE WHEN l6 > l5 THEN 1 ELSE 0 END + CASE WHEN l7 > l5 THEN 1 ELSE 0 END + CASE WHEN l8 > l5 THEN 1 ELSE 0 END + CASE WHEN l9 > l5 THEN 1 ELSE 0 END + CASE WHEN l10 > l5 THEN 1 ELSE 0 END + CASE WHEN l11 > l5 THEN 1 ELSE 0 END + CASE WHEN l12 > l5 THEN 1 ELSE 0 END + CASE WHEN l13 > l5 THEN 1 ELSE 0 END
      ELSE 14
    END AS r5,
    CASE
      WHEN l6 > 0
      THEN CASE WHEN l0 >= l6 THEN 1 ELSE 0 END + CASE WHEN l1 >= l6 THEN 1 ELSE 0 END + CASE WHEN l2 >= l6 THEN 1 ELSE 0 END + CASE WHEN l3 >= l6 THEN 1 ELSE 0 END + CASE WHEN l4 >= l6 THEN 1 ELSE 0 END + CASE WHEN l5 >= l6 THEN 1 ELSE 0 END + CASE WHEN l7 > l6 THEN 1 ELSE 0 END + CASE WHEN l8 > l6 THEN 1 ELSE 0 END + CASE WHEN l9 > l6 THEN 1 ELSE 0 END + CASE WHEN l10 > l6 THEN 1 ELSE 0 END + CASE WHEN l11 > l6 THEN 1 ELSE 0 END + CASE WHEN l12 > l6 THEN 1 ELSE 0 END + CASE WHEN l13 > l6 THEN 1 ELSE 0 END
      ELSE 14
    END AS r6,
    CASE
      WHEN l7 > 0
      THEN CASE WHEN l0 >= l7 THEN 1 ELSE 0 END + CASE WHEN l1 >= l7 THEN 1 ELSE 0 END + CASE WHEN l2 >= l7 THEN 1 ELSE 0 END + CASE WHEN l3 >= l7 THEN 1 ELSE 0 END + CASE WHEN l4 >= l7 THEN 1 ELSE 0 END + CASE WHEN l5 >= l7 THEN 1 ELSE 0 END + CASE WHEN l6 >= l7 THEN 1 ELSE 0 END + CASE WHEN l8 > l7 THEN 1 ELSE 0 END + CASE WHEN l9 > l7 THEN 1 ELSE 0 END + CASE WHEN l10 > l7 THEN 1 ELSE 0 END + CASE WHEN l11 > l7 THEN 1 ELSE 0 END + CASE WHEN l12 > l7 THEN 1 ELSE 0 END + CASE WHEN l13 > l7 THEN 1 ELSE 0 END
      ELSE 14
    END AS r7,
    CASE
      WHEN l8 > 0
      THEN CASE WHEN l0 >= l8 THEN 1 ELSE 0 END + CASE WHEN l1 >= l8 THEN 1 ELSE 0 END + CASE WHEN l2 >= l8 THEN 1 ELSE 0 END + CASE WHEN l3 >= l8 THEN 1 ELSE 0 END + CASE WHEN l4 >= l8 THEN 1 ELSE 0 END + CASE WHEN l5 >= l8 THEN 1 ELSE 0 END + CASE WHEN l6 >= l8 THEN 1 ELSE 0 END + CASE WHEN l7 >= l8 THEN 1 ELSE 0 END + CASE WHEN l9 > l8 THEN 1 ELSE 0 END + CASE WHEN l10 > l8 THEN 1 ELSE 0 END + CASE WHEN l11 > l8 THEN 1 ELSE 0 END + CASE WHEN l12 > l8 THEN 1 ELSE 0 END + CASE WHEN l13 > l8 THEN 1 ELSE 0 END
      ELSE 14
    END AS r8,
    CASE
      WHEN l9 > 0
      THEN CASE WHEN l0 >= l9 THEN 1 ELSE 0 END + CASE WHEN l1 >= l9 THEN 1 ELSE 0 END + CASE WHEN l2 >= l9 THEN 1 ELSE 0 END + CASE WHEN l3 >= l9 THEN 1 ELSE 0 END + CASE WHEN l4 >= l9 THEN 1 ELSE 0 END + CASE WHEN l5 >= l9 THEN 1 ELSE 0 END + CASE WHEN l6 >= l9 THEN 1 ELSE 0 END + CASE WHEN l7 >= l9 THEN 1 ELSE 0 END + CASE WHEN l8 >= l9 THEN 1 ELSE 0 END + CASE WHEN l10 > l9 THEN 1 ELSE 0 END + CASE WHEN l11 > l9 THEN 1 ELSE 0 END + CASE WHEN l12 > l9 THEN 1 ELSE 0 END + CASE WHEN l13 > l9 THEN 1 ELSE 0 END
      ELSE 14
    END AS r9,
    CASE
      WHEN l10 > 0
      THEN CASE WHEN l0 >= l10 THEN 1 ELSE 0 END + CASE WHEN l1 >= l10 THEN 1 ELSE 0 END + CASE WHEN l2 >= l10 THEN 1 ELSE 0 END + CASE WHEN l3 >= l10 THEN 1 ELSE 0 END + CASE WHEN l4 >= l10 THEN 1 ELSE 0 END + CASE WHEN l5 >= l10 THEN 1 ELSE 0 END + CASE WHEN l6 >= l10 THEN 1 ELSE 0 END + CASE WHEN l7 >= l10 THEN 1 ELSE 0 END + CASE WHEN l8 >= l10 THEN 1 ELSE 0 END + CASE WHEN l9 >= l10 THEN 1 ELSE 0 END + CASE WHEN l11 > l10 THEN 1 ELSE 0 END + CASE WHEN l12 > l10 THEN 1 ELSE 0 END + CASE WHEN l13 > l10 THEN 1 ELSE 0 END
      ELSE 14
    END AS r10,
    CASE
      WHEN l11 > 0
      THEN CASE WHEN l0 >= l11 THEN 1 ELSE 0 END + CASE WHEN l1 >= l11 THEN 1 ELSE 0 END + CASE WHEN l2 >= l11 THEN 1 ELSE 0 END + CASE WHEN l3 >= l11 THEN 1 ELSE 0 END + CASE WHEN l4 >= l11 THEN 1 ELSE 0 END + CASE WHEN l5 >= l11 THEN 1 ELSE 0 END + CASE WHEN l6 >= l11 THEN 1 ELSE 0 END + CASE WHEN l7 >= l11 THEN 1 ELSE 0 END + CASE WHEN l8 >= l11 THEN 1 ELSE 0 END + CASE WHEN l9 >= l11 THEN 1 ELSE 0 END + CASE WHEN l10 >= l11 THEN 1 ELSE 0 END + CASE WHEN l12 > l11 THEN 1 ELSE 0 END + CASE WHEN l13 > l11 THEN 1 ELSE 0 END
      ELSE 14
    END AS r11,
    CASE
      WHEN l12 > 0
      THEN CASE WHEN l0 >= l12 THEN 1 ELSE 0 END + CASE WHEN l1 >= l12 THEN 1 ELSE 0 END + CASE WHEN l2 >= l12 THEN 1 ELSE 0 END + CASE WHEN l3 >= l12 THEN 1 ELSE 0 END + CASE WHEN l4 >= l12 THEN 1 ELSE 0 END + CASE WHEN l5 >= l12 THEN 1 ELSE 0 END + CASE WHEN l6 >= l12 THEN 1 ELSE 0 END + CASE WHEN l7 >= l12 THEN 1 ELSE 0 END + CASE WHEN l8 >= l12 THEN 1 ELSE 0 END + CASE WHEN l9 >= l12 THEN 1 ELSE 0 END + CASE WHEN l10 >= l12 THEN 1 ELSE 0 END + CASE WHEN l11 >= l12 THEN 1 ELSE 0 END + CASE WHEN l13 > l12 THEN 1 ELSE 0 END
      ELSE 14
    END AS r12,
    CASE
      WHEN l13 > 0
      THEN CASE WHEN l0 >= l13 THEN 1 ELSE 0 END + CASE WHEN l1 >= l13 THEN 1 ELSE 0 END + CASE WHEN l2 >= l13 THEN 1 ELSE 0 END + CASE WHEN l3 >= l13 THEN 1 ELSE 0 END + CASE WHEN l4 >= l13 THEN 1 ELSE 0 END + CASE WHEN l5 >= l13 THEN 1 ELSE 0 END + CASE WHEN l6 >= l13 THEN 1 ELSE 0 END + CASE WHEN l7 >= l13 THEN 1 ELSE 0 END + CASE WHEN l8 >= l13 THEN 1 ELSE 0 END + CASE WHEN l9 >= l13 THEN 1 ELSE 0 END + CASE WHEN l10 >= l13 THEN 1 ELSE 0 END + CASE WHEN l11 >= l13 THEN 1 ELSE 0 END + CASE WHEN l12 >= l13 THEN 1 ELSE 0 END
      ELSE 14
    END AS r13
  FROM lost
), picked AS MATERIALIZED (
  SELECT
    *,
    CASE
      WHEN r0 = 0
      THEN 0
      WHEN r1 = 0
      THEN 1
      WHEN r2 = 0
      THEN 2
      WHEN r3 = 0
      THEN 3
      WHEN r4 = 0
      THEN 4
      WHEN r5 = 0
      THEN 5
      WHEN r6 = 0
      THEN 6
      WHEN r7 = 0
      THEN 7
      WHEN r8 = 0
      THEN 8
      WHEN r9 = 0
      THEN 9
      WHEN r10 = 0
      THEN 10
      WHEN r11 = 0
      THEN 11
      WHEN r12 = 0
      THEN 12
      WHEN r13 = 0
      THEN 13
    END AS k0,
    CASE
      WHEN r0 = 1
      THEN 0
      WHEN r1 = 1
      THEN 1
      WHEN r2 = 1
      THEN 2
      WHEN r3 = 1
      THEN 3
      WHEN r4 = 1
      THEN 4
      WHEN r5 = 1
      THEN 5
      WHEN r6 = 1
      THEN 6
      WHEN r7 = 1
      THEN 7
      WHEN r8 = 1
      THEN 8
      WHEN r9 = 1
      THEN 9
      WHEN r10 = 1
      THEN 10
      WHEN r11 = 1
      THEN 11
      WHEN r12 = 1
      THEN 12
      WHEN r13 = 1
      THEN 13
    END AS k1,
    CASE
      WHEN r0 = 2
      THEN 0
      WHEN r1 = 2
      THEN 1
      WHEN r2 = 2
      THEN 2
      WHEN r3 = 2
      THEN 3
      WHEN r4 = 2
      THEN 4
      WHEN r5 = 2
      THEN 5
      WHEN r6 = 2
      THEN 6
      WHEN r7 = 2
      THEN 7
      WHEN r8 = 2
      THEN 8
      WHEN r9 = 2
      THEN 9
      WHEN r10 = 2
      THEN 10
      WHEN r11 = 2
      THEN 11
      WHEN r12 = 2
      THEN 12
      WHEN r13 = 2
      THEN 13
    END AS k2,
    CASE
      WHEN r0 = 3
      THEN 0
      WHEN r1 = 3
      THEN 1
      WHEN r2 = 3
      THEN 2
      WHEN r3 = 3
      THEN 3
      WHEN r4 = 3
      THEN 4
      WHEN r5 = 3
      THEN 5
      WHEN r6 = 3
      THEN 6
      WHEN r7 = 3
      THEN 7
      WHEN r8 = 3
      THEN 8
      WHEN r9 = 3
      THEN 9
      WHEN r10 = 3
      THEN 10
      WHEN r11 = 3
      THEN 11
      WHEN r12 = 3
      THEN 12
      WHEN r13 = 3
      THEN 13
    END AS k3
  FROM ranked
)
SELECT
  entity_id,
  kind,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE CAST(CASE
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      )
    END AS INTEGER)
  END AS score,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN 'insufficient data'
    WHEN CASE
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      )
    END >= 700
    THEN 'extraordinary'
    WHEN CASE
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      )
    END >= 650
    THEN 'excellent'
    WHEN CASE
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      )
    END >= 600
    THEN 'good'
    WHEN CASE
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      )
    END >= 550
    THEN 'fair'
    WHEN CASE
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) < 350
      THEN 350
      WHEN FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      ) > 950
      THEN 950
      ELSE FLOOR(
        CAST(176.92307692307693 AS REAL) + CAST(1.1538461538461537 AS REAL) * total_points + CAST(0.5 AS REAL)
      )
    END >= 350
    THEN 'poor'
    ELSE 'poor'
  END AS band,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_credit_history
  END AS points_credit_history,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_behaviour
  END AS points_behaviour,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_capacity
  END AS points_capacity,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_identity
  END AS points_identity,
  CASE
    WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
    THEN NULL
    ELSE points_connections
  END AS points_connections,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k0
    END
    WHEN 0
    THEN 'on_time_payment_share'
    WHEN 1
    THEN 'late_payments_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'credit_history_length'
    WHEN 4
    THEN 'rental_incidents_24m'
    WHEN 5
    THEN 'rental_ok_share'
    WHEN 6
    THEN 'fraudulent_chargebacks_24m'
    WHEN 7
    THEN 'verified_income'
    WHEN 8
    THEN 'verified_assets'
    WHEN 9
    THEN 'spending_12m'
    WHEN 10
    THEN 'verified_credentials'
    WHEN 11
    THEN 'days_since_verification'
    WHEN 12
    THEN 'consented_vouches_24m'
    WHEN 13
    THEN 'vouchee_adverse_24m'
  END AS reason1_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k0
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no instalment or bill payments on record; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your instalments and bills paid on time in the last 24 months; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late payments 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' late or overdue payments in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no credit or bill history; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'a credit and bill history of ' || CAST(CAST(FLOOR(f3 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no rental incidents 24m on record; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f4 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' rentals returned late, damaged or outside the allowed zone in the last 24 months; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no rentals on record; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f5 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your rentals returned without a problem in the last 24 months; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no fraudulent chargebacks 24m on record; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' fraudulent chargebacks in the last 24 months; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no verified income in the last year; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified yearly income of ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f8 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 9
    THEN CASE
      WHEN f9 IS NULL
      THEN 'no purchases on record in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'purchases of ' || CAST(CAST(FLOOR(f9 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 10
    THEN CASE
      WHEN f10 IS NULL
      THEN 'no verified credentials on record; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f10 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' verified identity, address, education or employment records; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 11
    THEN CASE
      WHEN f11 IS NULL
      THEN 'no verification on record; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'last verification ' || CAST(CAST(FLOOR(f11 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days ago; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 12
    THEN CASE
      WHEN f12 IS NULL
      THEN 'no consented vouches 24m on record; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f12 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' consented vouches in the last 24 months; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 13
    THEN CASE
      WHEN f13 IS NULL
      THEN 'no vouchee adverse 24m on record; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f13 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' defaults, late payments or other adverse events of people you vouch for in the last 24 months; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
  END AS reason1_text,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k1
    END
    WHEN 0
    THEN 'on_time_payment_share'
    WHEN 1
    THEN 'late_payments_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'credit_history_length'
    WHEN 4
    THEN 'rental_incidents_24m'
    WHEN 5
    THEN 'rental_ok_share'
    WHEN 6
    THEN 'fraudulent_chargebacks_24m'
    WHEN 7
    THEN 'verified_income'
    WHEN 8
    THEN 'verified_assets'
    WHEN 9
    THEN 'spending_12m'
    WHEN 10
    THEN 'verified_credentials'
    WHEN 11
    THEN 'days_since_verification'
    WHEN 12
    THEN 'consented_vouches_24m'
    WHEN 13
    THEN 'vouchee_adverse_24m'
  END AS reason2_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k1
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no instalment or bill payments on record; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your instalments and bills paid on time in the last 24 months; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late payments 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' late or overdue payments in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no credit or bill history; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'a credit and bill history of ' || CAST(CAST(FLOOR(f3 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no rental incidents 24m on record; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f4 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' rentals returned late, damaged or outside the allowed zone in the last 24 months; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no rentals on record; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f5 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your rentals returned without a problem in the last 24 months; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no fraudulent chargebacks 24m on record; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' fraudulent chargebacks in the last 24 months; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no verified income in the last year; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified yearly income of ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f8 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 9
    THEN CASE
      WHEN f9 IS NULL
      THEN 'no purchases on record in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'purchases of ' || CAST(CAST(FLOOR(f9 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 10
    THEN CASE
      WHEN f10 IS NULL
      THEN 'no verified credentials on record; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f10 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' verified identity, address, education or employment records; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 11
    THEN CASE
      WHEN f11 IS NULL
      THEN 'no verification on record; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'last verification ' || CAST(CAST(FLOOR(f11 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days ago; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 12
    THEN CASE
      WHEN f12 IS NULL
      THEN 'no consented vouches 24m on record; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f12 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' consented vouches in the last 24 months; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 13
    THEN CASE
      WHEN f13 IS NULL
      THEN 'no vouchee adverse 24m on record; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f13 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' defaults, late payments or other adverse events of people you vouch for in the last 24 months; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
  END AS reason2_text,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k2
    END
    WHEN 0
    THEN 'on_time_payment_share'
    WHEN 1
    THEN 'late_payments_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'credit_history_length'
    WHEN 4
    THEN 'rental_incidents_24m'
    WHEN 5
    THEN 'rental_ok_share'
    WHEN 6
    THEN 'fraudulent_chargebacks_24m'
    WHEN 7
    THEN 'verified_income'
    WHEN 8
    THEN 'verified_assets'
    WHEN 9
    THEN 'spending_12m'
    WHEN 10
    THEN 'verified_credentials'
    WHEN 11
    THEN 'days_since_verification'
    WHEN 12
    THEN 'consented_vouches_24m'
    WHEN 13
    THEN 'vouchee_adverse_24m'
  END AS reason3_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k2
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no instalment or bill payments on record; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your instalments and bills paid on time in the last 24 months; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late payments 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' late or overdue payments in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no credit or bill history; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'a credit and bill history of ' || CAST(CAST(FLOOR(f3 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no rental incidents 24m on record; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f4 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' rentals returned late, damaged or outside the allowed zone in the last 24 months; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no rentals on record; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f5 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your rentals returned without a problem in the last 24 months; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no fraudulent chargebacks 24m on record; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' fraudulent chargebacks in the last 24 months; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no verified income in the last year; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified yearly income of ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f8 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 9
    THEN CASE
      WHEN f9 IS NULL
      THEN 'no purchases on record in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'purchases of ' || CAST(CAST(FLOOR(f9 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 10
    THEN CASE
      WHEN f10 IS NULL
      THEN 'no verified credentials on record; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f10 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' verified identity, address, education or employment records; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 11
    THEN CASE
      WHEN f11 IS NULL
      THEN 'no verification on record; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'last verification ' || CAST(CAST(FLOOR(f11 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days ago; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 12
    THEN CASE
      WHEN f12 IS NULL
      THEN 'no consented vouches 24m on record; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f12 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' consented vouches in the last 24 months; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 13
    THEN CASE
      WHEN f13 IS NULL
      THEN 'no vouchee adverse 24m on record; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f13 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' defaults, late payments or other adverse events of people you vouch for in the last 24 months; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
  END AS reason3_text,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k3
    END
    WHEN 0
    THEN 'on_time_payment_share'
    WHEN 1
    THEN 'late_payments_12m'
    WHEN 2
    THEN 'serious_delinquencies'
    WHEN 3
    THEN 'credit_history_length'
    WHEN 4
    THEN 'rental_incidents_24m'
    WHEN 5
    THEN 'rental_ok_share'
    WHEN 6
    THEN 'fraudulent_chargebacks_24m'
    WHEN 7
    THEN 'verified_income'
    WHEN 8
    THEN 'verified_assets'
    WHEN 9
    THEN 'spending_12m'
    WHEN 10
    THEN 'verified_credentials'
    WHEN 11
    THEN 'days_since_verification'
    WHEN 12
    THEN 'consented_vouches_24m'
    WHEN 13
    THEN 'vouchee_adverse_24m'
  END AS reason4_code,
  CASE CASE
      WHEN n_events < 3 OR history_days IS NULL OR history_days < 60
      THEN NULL
      ELSE k3
    END
    WHEN 0
    THEN CASE
      WHEN f0 IS NULL
      THEN 'no instalment or bill payments on record; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f0 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your instalments and bills paid on time in the last 24 months; paying every instalment and bill on time would add about ' || CAST(CAST(FLOOR(l0 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 1
    THEN CASE
      WHEN f1 IS NULL
      THEN 'no late payments 12m on record; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f1 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' late or overdue payments in the last 12 months; none for 12 months would add about ' || CAST(CAST(FLOOR(l1 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 2
    THEN CASE
      WHEN f2 IS NULL
      THEN 'no serious delinquencies on record; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'defaults, unpaid judgments or bankruptcies on record: ' || CAST(CAST(FLOOR(f2 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; settling them (they stop counting after 7 years, bankruptcy 10) would add about ' || CAST(CAST(FLOOR(l2 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 3
    THEN CASE
      WHEN f3 IS NULL
      THEN 'no credit or bill history; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'a credit and bill history of ' || CAST(CAST(FLOOR(f3 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days; a longer record of repaid credit and bills would add about ' || CAST(CAST(FLOOR(l3 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 4
    THEN CASE
      WHEN f4 IS NULL
      THEN 'no rental incidents 24m on record; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f4 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' rentals returned late, damaged or outside the allowed zone in the last 24 months; returning rentals on time and in the allowed zone would add about ' || CAST(CAST(FLOOR(l4 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 5
    THEN CASE
      WHEN f5 IS NULL
      THEN 'no rentals on record; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f5 * 100 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '% of your rentals returned without a problem in the last 24 months; returning every rental without a problem would add about ' || CAST(CAST(FLOOR(l5 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 6
    THEN CASE
      WHEN f6 IS NULL
      THEN 'no fraudulent chargebacks 24m on record; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f6 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' fraudulent chargebacks in the last 24 months; none for 24 months would add about ' || CAST(CAST(FLOOR(l6 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 7
    THEN CASE
      WHEN f7 IS NULL
      THEN 'no verified income in the last year; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified yearly income of ' || CAST(CAST(FLOOR(f7 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your income verified would add about ' || CAST(CAST(FLOOR(l7 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 8
    THEN CASE
      WHEN f8 IS NULL
      THEN 'no verified assets; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'verified assets of ' || CAST(CAST(FLOOR(f8 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || '; having your assets verified would add about ' || CAST(CAST(FLOOR(l8 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 9
    THEN CASE
      WHEN f9 IS NULL
      THEN 'no purchases on record in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'purchases of ' || CAST(CAST(FLOOR(f9 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' in the last 12 months; a steady record of paid purchases would add about ' || CAST(CAST(FLOOR(l9 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 10
    THEN CASE
      WHEN f10 IS NULL
      THEN 'no verified credentials on record; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f10 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' verified identity, address, education or employment records; verifying your identity, address, education and employment would add about ' || CAST(CAST(FLOOR(l10 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 11
    THEN CASE
      WHEN f11 IS NULL
      THEN 'no verification on record; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE 'last verification ' || CAST(CAST(FLOOR(f11 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' days ago; renewing a verification would add about ' || CAST(CAST(FLOOR(l11 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 12
    THEN CASE
      WHEN f12 IS NULL
      THEN 'no consented vouches 24m on record; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f12 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' consented vouches in the last 24 months; vouches from people who know you, with both sides'' consent would add about ' || CAST(CAST(FLOOR(l12 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
    WHEN 13
    THEN CASE
      WHEN f13 IS NULL
      THEN 'no vouchee adverse 24m on record; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
      ELSE CAST(CAST(FLOOR(f13 + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' defaults, late payments or other adverse events of people you vouch for in the last 24 months; vouching only for people you know to be reliable (or revoking a vouch) would add about ' || CAST(CAST(FLOOR(l13 * CAST(1.1538461538461537 AS REAL) + CAST(0.5 AS REAL)) AS INTEGER) AS TEXT) || ' points'
    END
  END AS reason4_text
FROM picked
