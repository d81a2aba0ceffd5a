import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_technician_ticket_tour", {
    url: "/odoo/action-aftersales.aftersales_ticket_action",
    steps: () => [
        {
            content: "Open the call from the team's board",
            trigger: ".o_kanban_record:contains(Machine leaks water)",
            run: "click",
        },
        {
            content: "The ticket opens with its number and coverage",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(TK/)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=coverage_kind]:contains(Warranty)",
        },
        {
            content: "Log a note in the chatter",
            trigger: ".o-mail-Chatter-topbar button.o-mail-Chatter-logNote",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Gasket replaced, 40 minutes on site.",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The note is in the thread",
            trigger: ".o-mail-Message:contains(Gasket replaced, 40 minutes on site.)",
        },
        {
            content: "Move the ticket on",
            trigger: ".o_statusbar_status button:contains(In Progress)",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(In Progress)",
        },
        {
            content: "Saved: the stage change is tracked in the thread",
            trigger: ".o-mail-Message .o-mail-Message-trackingNew:contains(In Progress)",
        },
    ],
});
