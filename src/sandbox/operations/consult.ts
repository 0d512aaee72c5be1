// consult: the card option for an amount, from the sandbox's consult configuration.
import type { components } from "../../../generated/antom.js";
import { failureResult, successResult } from "../../core/antom-result.js";
import type { ConsultConfig } from "../consult-config.js";

type ConsultRequest = components["schemas"]["ConsultRequest"];
type ConsultResponse = components["schemas"]["ConsultResponse"];

const logo = (name: string) => ({ logoName: name, logoUrl: `https://cdn.antom-sandbox.invalid/logos/${name.toLowerCase()}.png` });

export function consult(config: ConsultConfig, body: ConsultRequest): ConsultResponse {
  const { currency, value } = body.paymentAmount;
  if (!config.currencies.includes(currency)) {
    return { result: failureResult("CURRENCY_NOT_SUPPORT", `paymentAmount.currency: the card option does not accept ${JSON.stringify(currency)}`) } as ConsultResponse;
  }
  const amount = BigInt(value);
  const plans = (config.installments[currency] ?? []).filter((p) => amount >= BigInt(p.min) && amount <= BigInt(p.max));
  const brands = config.brands.map((cardBrand) => ({ cardBrand, logo: logo(cardBrand) }));
  return {
    result: successResult(),
    paymentOptions: [
      {
        paymentMethodType: "CARD",
        paymentMethodCategory: "CARD",
        paymentMethodRegion: ["GLOBAL"],
        enabled: true,
        logo: logo("CARD"),
        paymentOptionDetail: { supportCardBrands: brands, funding: config.funding },
        ...(plans.length > 0
          ? {
              installment: {
                supportCardBrands: brands,
                plans: plans.map((p) => ({
                  installmentNum: p.installmentNum,
                  interval: "MONTH",
                  minInstallmentAmount: { currency, value: p.min },
                  maxInstallmentAmount: { currency, value: p.max },
                  enabled: true,
                })),
              },
            }
          : {}),
      },
    ],
  } as ConsultResponse;
}
