import { z } from 'zod';

const DecimalSchema = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,12})?$/, 'prices are non-negative decimals such as "0.5"');

export const ModelPricesSchema = z.record(z.string().min(1), DecimalSchema);

/**
 * What a provider earns per million billed tokens, as exact decimal strings:
 * a default rate with per-model overrides; "0" is a valid price. The database
 * picks the rate by the job's model when it posts the earning.
 */
export interface Pricing {
  pricePerMillionTokens: string;
  modelPrices: Readonly<Record<string, string>>;
}

export function createPricing(defaultPrice: string, modelPrices: Record<string, string>): Pricing {
  return Object.freeze({ pricePerMillionTokens: defaultPrice, modelPrices: { ...modelPrices } });
}

export const PriceSchema = DecimalSchema;
