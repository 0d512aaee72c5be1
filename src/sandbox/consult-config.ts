// What consult answers: the card option the sandbox offers, by currency and amount. Documented
// in docs/sandbox.md; pass another configuration to the server to change it.

export interface InstallmentRule {
  /** Number of monthly installments. */
  installmentNum: string;
  /** Smallest and largest payment amount (minor units) the plan accepts. */
  min: string;
  max: string;
}

export interface ConsultConfig {
  /** Currencies the card option accepts; others get CURRENCY_NOT_SUPPORT. */
  currencies: string[];
  brands: string[];
  funding: string[];
  /** Installment plans per currency. */
  installments: Record<string, InstallmentRule[]>;
}

export const DEFAULT_CONSULT_CONFIG: ConsultConfig = {
  currencies: ["USD", "EUR", "GBP", "SGD", "HKD", "JPY", "KRW", "BRL", "MXN", "CLP", "PEN", "AUD", "CAD"],
  brands: ["VISA", "MASTERCARD", "AMEX", "JCB", "DISCOVER"],
  funding: ["CREDIT", "DEBIT"],
  installments: {
    BRL: [
      { installmentNum: "3", min: "1000", max: "10000000" },
      { installmentNum: "6", min: "6000", max: "10000000" },
      { installmentNum: "12", min: "12000", max: "10000000" },
    ],
    MXN: [
      { installmentNum: "3", min: "30000", max: "10000000" },
      { installmentNum: "6", min: "60000", max: "10000000" },
    ],
  },
};
