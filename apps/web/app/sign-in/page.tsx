import type { Metadata } from 'next';
import { AuthForm } from '@/components/account/auth-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function Page() {
  return (
    <div className="flex flex-col items-center gap-6 py-8">
      <header className="space-y-1 text-center">
        <h1 className="text-2xl font-semibold">Sign in</h1>
        <p className="text-sm text-muted">Welcome back.</p>
      </header>
      <AuthForm mode="sign-in" />
    </div>
  );
}
