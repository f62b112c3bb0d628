import type { Metadata } from 'next';
import { AuthForm } from '@/components/account/auth-form';

export const metadata: Metadata = { title: 'Create an account' };

export default function Page() {
  return (
    <div className="flex flex-col items-center gap-6 py-8">
      <header className="space-y-1 text-center">
        <h1 className="text-2xl font-semibold">Create an account</h1>
        <p className="text-sm text-muted">Use Infernet with an API key, and link your own nodes.</p>
      </header>
      <AuthForm mode="sign-up" />
    </div>
  );
}
